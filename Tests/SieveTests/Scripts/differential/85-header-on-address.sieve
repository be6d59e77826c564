require "fileinto";
if header :contains "to" "Bob" { fileinto "HdrBob"; }
if header :matches "cc" "*eve*" { fileinto "Eve"; }
