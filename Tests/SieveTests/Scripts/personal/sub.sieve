require ["imap4flags", "include"];
addflag "Included";
if header :contains "subject" "hello" { return; }
discard;
