require "fileinto";
if address :domain :is "from" "example.com" { fileinto "Example"; }
if address :localpart :is "to" "carol" { keep; }
