require ["fileinto", "comparator-i;octet"];
if header :comparator "i;octet" :contains "subject" "hello" { fileinto "Lower"; }
if header :comparator "i;octet" :contains "subject" "Hello" { fileinto "Upper"; }
