require ["editheader", "fileinto"];
addheader "X-Sieve" "filtered";
if header :is "x-sieve" "filtered" { fileinto "Edited"; }
deleteheader "x-priority";
if not exists "x-priority" { keep; }
