require ["imap4flags", "variables", "fileinto"];
set "mine" "A B";
if hasflag :is "mine" "b" { fileinto "HasB"; }
if hasflag :count "eq" :comparator "i;ascii-numeric" "mine" "2" { fileinto "TwoFlags"; }
