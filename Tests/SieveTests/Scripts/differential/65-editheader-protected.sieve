require ["editheader", "fileinto", "relational", "comparator-i;ascii-numeric"];
deleteheader "received";
deleteheader "auto-submitted";
addheader "Received" "by sieve";
if header :count "ge" :comparator "i;ascii-numeric" "received" "1" { fileinto "HasReceived"; }
if exists "auto-submitted" { fileinto "AutoSubmitted"; }
