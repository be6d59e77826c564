require "fileinto";
if allof (exists ["X-Spam-Score", "Message-ID"], size :under 10K) { fileinto "Small"; }
if not exists "X-Nonexistent" { keep; }
