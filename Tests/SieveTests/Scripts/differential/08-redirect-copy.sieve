require "copy";
redirect :copy "backup@example.net";
redirect :copy "backup@example.net";
