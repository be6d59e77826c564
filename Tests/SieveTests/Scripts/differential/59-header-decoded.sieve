require "fileinto";
if header :contains "from" "Jürgen" { fileinto "Juergen"; }
if header :contains "subject" "für" { fileinto "Fuer"; }
