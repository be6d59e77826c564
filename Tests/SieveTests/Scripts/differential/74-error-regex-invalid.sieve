require "regex";
if header :regex "subject" "a[" { discard; }
