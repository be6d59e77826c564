require ["regex", "fileinto"];
if header :regex "subject" "^\\[(dev|ops)\\]" { fileinto "Tagged"; }
if header :regex "from" "@example\\.(com|de)>?$" { fileinto "ExampleCom"; }
