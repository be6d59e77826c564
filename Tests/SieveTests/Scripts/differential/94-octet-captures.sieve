require ["variables", "fileinto", "comparator-i;octet"];
if header :comparator "i;octet" :matches "subject" "*W*" { fileinto "Oct-${2}"; } elsif header :matches "subject" "*W*" { fileinto "Cas-${2}"; }
