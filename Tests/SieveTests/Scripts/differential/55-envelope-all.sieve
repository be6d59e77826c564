require ["envelope", "fileinto", "subaddress"];
if envelope :all :is "to" "bob@example.org" { fileinto "EnvBob"; }
if envelope :user "from" "sender" { fileinto "EnvSender"; }
