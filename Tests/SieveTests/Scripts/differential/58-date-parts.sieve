require ["date", "fileinto", "variables"];
if date :zone "+0000" "date" "std11" "*" { }
if date :zone "+0000" :matches "date" "weekday" "*" { set "wd" "${1}"; }
if date :zone "+0000" :matches "date" "julian" "*" { set "j" "${1}"; }
if date :zone "+0100" :matches "date" "iso8601" "*" { set "iso" "${1}"; }
if date :zone "+0000" :matches "date" "time" "*" { set "t" "${1}"; }
fileinto "${wd}-${j}-${iso}-${t}";
