require ["fileinto", "subaddress"];
if address :detail "from" "lists" { fileinto "Lists"; }
if address :user :is "from" "alice" { fileinto "Alice"; }
