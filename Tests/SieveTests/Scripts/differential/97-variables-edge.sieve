require ["variables", "fileinto"];
set "a" "x";
set "A" "${a}y";
set "b" "${unknown}${1}z";
set "c" "${a";
fileinto "${A}-${b}-${c}-${a}";
