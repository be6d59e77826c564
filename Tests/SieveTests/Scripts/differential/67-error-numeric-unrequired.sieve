if header :comparator "i;ascii-numeric" :is "x-spam-score" "7" { discard; }
