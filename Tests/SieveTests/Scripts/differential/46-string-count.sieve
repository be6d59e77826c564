require ["variables", "relational", "comparator-i;ascii-numeric", "fileinto"];
set "a" "x";
set "b" "";
if string :count "eq" :comparator "i;ascii-numeric" ["${a}", "${b}", "z"] "2" { fileinto "Two"; }
