require ["encoded-character", "fileinto"];
if header :contains "subject" "${hex:48 65 6c 6c 6f}" { fileinto "${unicode:48}ex"; }
