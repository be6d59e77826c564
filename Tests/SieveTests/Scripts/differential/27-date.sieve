require ["date", "relational", "fileinto"];
if date :originalzone :value "ge" "date" "date" "2026-12-02" { fileinto "Recent"; }
if date :zone "+0000" :is "date" "hour" "09" { fileinto "Nine"; }
