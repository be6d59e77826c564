require ["imap4flags", "fileinto"];
addflag "Important";
if hasflag :contains "import" { fileinto "Marked"; }
