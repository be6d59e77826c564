require "fileinto";
if anyof (header :contains "from" "alice", header :contains "from" "zed", header :is "x-priority" "1") { fileinto "Any"; } else { discard; }
