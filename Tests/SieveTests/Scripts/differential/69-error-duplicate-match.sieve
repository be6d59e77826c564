if header :is :matches "subject" "x" { discard; }
