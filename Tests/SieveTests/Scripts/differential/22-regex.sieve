require ["regex", "variables", "fileinto"];
if header :regex "subject" "invoice ([0-9]+)-([0-9]+)" { fileinto "R${1}.${2}"; }
