require ["reject", "fileinto"];
fileinto "Kept";
reject "no thanks";
