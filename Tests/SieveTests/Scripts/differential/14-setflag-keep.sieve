require "imap4flags";
setflag "\\Flagged";
keep :flags ["\\Answered", "Junk"];
