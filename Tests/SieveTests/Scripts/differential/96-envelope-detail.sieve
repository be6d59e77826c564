require ["envelope", "subaddress", "fileinto"];
if envelope :detail "to" "" { fileinto "EmptyDetail"; }
if envelope :user :is "to" "bob" { fileinto "UserBob"; }
