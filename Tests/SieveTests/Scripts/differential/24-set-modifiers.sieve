require ["variables", "fileinto"];
set :upper "a" "hello";
set :lowerfirst "b" "WORLD";
set :length "c" "abcdef";
set :quotewildcard "d" "a*b?";
if string :is "${a}${b}${c}" "HELLOwORLD6" { fileinto "${d}"; }
