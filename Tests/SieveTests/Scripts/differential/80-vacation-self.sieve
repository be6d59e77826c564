require "vacation";
vacation :addresses "sender@example.com" "to myself";
