require ["regex", "fileinto", "comparator-i;octet"];
if header :regex :comparator "i;octet" "subject" "^hello" { fileinto "Lower"; }
if header :regex "subject" "^hello" { fileinto "Insensitive"; }
