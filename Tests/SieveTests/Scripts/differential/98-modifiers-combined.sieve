require ["variables", "fileinto"];
set :length :upper "n" "abc";
set :quotewildcard :upperfirst "q" "x*y";
fileinto "${n}-${q}";
