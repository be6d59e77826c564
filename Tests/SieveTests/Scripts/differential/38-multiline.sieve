require "reject";
reject text:
Sorry,
..dot-stuffed line
.
;
