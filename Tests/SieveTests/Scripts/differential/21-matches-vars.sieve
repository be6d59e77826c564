require ["variables", "fileinto"];
if header :matches "subject" "* world, invoice *-*" { fileinto "Inv-${2}-${3}"; }
