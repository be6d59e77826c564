require ["body", "fileinto"];
if body :content "text/html" :contains "tracking" { fileinto "Html"; }
if body :text :contains "payment due" { fileinto "Due"; }
