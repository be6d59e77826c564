require ["fileinto", "imap4flags", "copy"];
setflag "\\Seen";
redirect :copy "copy@example.net";
fileinto :flags ["\\Flagged", "$Work"] "Work";
fileinto "Work";
