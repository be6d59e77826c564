require ["body", "fileinto"];
if body :content "text" :contains "html" { fileinto "TextStar"; }
if body :content "application/pdf" :contains "JVBER" { fileinto "Pdf"; }
