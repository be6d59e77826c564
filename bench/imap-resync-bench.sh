#!/bin/sh
# QRESYNC resync vs full FETCH FLAGS, SORT and THREAD of a large mailbox (see docs/imap-extensions.md).
# usage: bench/imap-resync-bench.sh [MESSAGES]
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product objectmail
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/imap_resync_bench.py "$(swift build -c release --show-bin-path)/objectmail" "${1:-10000}"
