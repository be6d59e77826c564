require ["body", "fileinto"];
if body :contains "swordfish" { fileinto "Secret"; }
if body :raw :contains "invoice" { fileinto "RawInvoice"; }
