#!/bin/sh
# POP3 benchmark (issue 13, see docs/pop3.md): builds pop3-bench in release and runs it in-process
# against a posix store behind a request-counting layer:
#   - login (INBOX snapshot from the index), STAT, LIST and UIDL of a 10,000-message mailbox, in ms,
#     with the number of store GETs they caused (must be 0);
#   - RETR of every message of a 1,000-message mailbox (50 KB each) with bodies in the fscache, read
#     from the store, and read from the store with a simulated per-GET latency (S3-like).
# usage: bench/pop3-bench.sh [LARGE_MAILBOX_MESSAGES] [RETR_MESSAGES] [SIMULATED_GET_LATENCY_MS]
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product pop3-bench 2>&1 | grep -E "error|warning:|Build complete" || true
echo "nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$(swift build -c release --show-bin-path)/pop3-bench" "$@"
