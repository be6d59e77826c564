require ["body", "fileinto"];
if body :raw :matches "*Alice*" { fileinto "SignedAlice"; }
if body :contains "plan the release" { fileinto "Plan"; }
