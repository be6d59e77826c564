require "reject";
if size :over 100 { reject "Message too big for me"; }
