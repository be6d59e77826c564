require ["date", "relational", "fileinto"];
if currentdate :zone "+1400" :value "ge" "year" "2000" { fileinto "Zone14"; }
if currentdate :matches "zone" "+0000" { fileinto "UTC"; }
