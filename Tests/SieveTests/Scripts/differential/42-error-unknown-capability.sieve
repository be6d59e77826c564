require "nonexistent";
