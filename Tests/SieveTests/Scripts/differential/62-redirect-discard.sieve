redirect "x@example.net";
discard;
