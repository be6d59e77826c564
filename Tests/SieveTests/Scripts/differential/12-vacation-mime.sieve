require "vacation";
vacation :mime :handle "ooo" text:
Content-Type: text/plain; charset=utf-8

Away.
.
;
