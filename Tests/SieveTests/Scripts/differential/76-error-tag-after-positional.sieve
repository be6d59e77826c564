if header "subject" "x" :contains { discard; }
