require ["envelope", "fileinto"];
if envelope :domain :is "from" "example.com" { fileinto "FromExample"; }
if envelope :localpart :is "to" "bob" { fileinto "ToBob"; }
