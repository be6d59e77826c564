require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "ge" :comparator "i;ascii-numeric" ["received", "x-spam-score"] "1" { fileinto "Counted"; }
