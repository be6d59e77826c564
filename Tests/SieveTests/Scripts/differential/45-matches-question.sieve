require ["variables", "fileinto"];
if address :matches :localpart "from" "?lice*" { fileinto "M-${1}-${2}"; }
