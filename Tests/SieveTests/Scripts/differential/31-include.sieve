require ["include", "fileinto"];
include :personal "sub";
include :personal :once "sub";
fileinto "AfterInclude";
