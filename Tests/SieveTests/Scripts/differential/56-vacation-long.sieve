require "vacation";
vacation :days 400 :subject "long" "x";
