require ["variables", "relational", "fileinto"];
set "x" "beta";
if string :value "gt" "${x}" "alpha" { fileinto "Gt"; }
if string :value "lt" :comparator "i;octet" "B" "a" { fileinto "OctetLt"; }
