require "fileinto";
if header :contains "subject" "release" { fileinto "Release"; }
elsif header :contains "subject" "invoice" { fileinto "Invoice"; }
elsif header :contains "subject" "rechnung" { fileinto "Rechnung"; }
else { fileinto "Other"; }
