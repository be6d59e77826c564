require ["fileinto"];
# Thunderbird filter "Invoices"
if anyof (header :contains ["subject"] ["invoice", "Rechnung"], header :contains ["from", "sender"] ["billing@"])
{
  fileinto "INBOX.Invoices";
}
