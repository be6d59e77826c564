require "fileinto";
if allof (anyof (false, header :contains "subject" "hello"), not anyof (false, false), allof (true)) { fileinto "Nested"; } else { fileinto "NotNested"; }
