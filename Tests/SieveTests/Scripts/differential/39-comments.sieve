/* bracketed
   comment */ if /* inline */ header :is "subject" "nothing" { discard; } # trailing
elsif size :over 1M { discard; }
else { keep; }
