require "fileinto";
if address :all :is "from" "ALICE+lists@EXAMPLE.com" { fileinto "Case"; }
if address :domain :is "sender" "lists.example.net" { fileinto "ListSender"; }
