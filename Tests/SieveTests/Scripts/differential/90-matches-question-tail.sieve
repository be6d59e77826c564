require ["variables", "fileinto"];
if header :matches "subject" "*?" { fileinto "Last-${2}"; }
if header :matches "message-id" "<*@*>" { fileinto "Id-${1}"; }
