require ["imap4flags", "fileinto"];
addflag "\\Seen";
addflag ["$Label1", "Work"];
removeflag "Work";
fileinto "Flagged";
