require ["variables", "fileinto"];
if header :matches "from" "*<*@*>*" { set "dom" "${3}"; }
if string :matches "${dom}" "*.*" { fileinto "D-${1}"; }
