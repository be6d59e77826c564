require ["editheader", "fileinto"];
deleteheader "subject";
if exists "subject" { discard; } else { fileinto "NoSubject"; }
