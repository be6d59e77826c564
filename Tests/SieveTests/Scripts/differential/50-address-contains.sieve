require "fileinto";
if address :all :contains ["to", "cc"] "example.org" { fileinto "Org"; }
