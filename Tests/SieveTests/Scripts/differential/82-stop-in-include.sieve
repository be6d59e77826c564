require ["include", "fileinto"];
include :personal "stopper";
fileinto "NotReached";
