require ["variables", "fileinto"];
if header :matches "x-none" "*" { fileinto "Never"; }
if header :matches "subject" "" { fileinto "Empty"; }
if header :matches "subject" "*" { fileinto "Any-${0}"; }
