require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "eq" :comparator "i;ascii-numeric" "x-none" "0" { fileinto "Zero"; }
if header :is "x-none" "" { fileinto "EmptyMissing"; }
if header :contains "subject" "" { fileinto "EmptyKey"; }
