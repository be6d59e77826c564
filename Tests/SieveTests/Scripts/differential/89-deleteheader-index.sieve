require ["editheader", "fileinto"];
deleteheader :index 1 :last "received";
deleteheader :index 2 "cc";
deleteheader :matches "x-spam-*" "*";
deleteheader :is "x-spam-score" ["7", "12"];
if exists "x-spam-score" { fileinto "StillScore"; }
