# rule:[Spam]
require ["fileinto","imap4flags","copy"];
if anyof (header :contains "x-spam-flag" "YES", header :contains "subject" "[SPAM]")
{
	fileinto "Junk";
	stop;
}
# rule:[Lists]
if header :contains "list-id" "dev.lists.example.net"
{
	fileinto :copy "Lists/dev";
	addflag "\\Seen";
}
