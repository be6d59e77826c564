require ["date", "fileinto", "variables"];
if date :zone "+0000" :matches "received" "time" "*" { fileinto "Rcvd-${1}"; }
