#!/bin/sh
# Builds bundle-bench in release and runs it (see docs/metacache-benchmark.md).
# usage: bench/bundle-bench.sh [PIPELINE] [FOLDER_MESSAGES] [DELIVERIES] [COLD_MESSAGES]
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product bundle-bench
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
.build/release/bundle-bench "$@"
