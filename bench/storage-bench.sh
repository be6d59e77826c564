#!/bin/sh
# Builds storage-bench in release and runs it (see docs/storage-benchmark.md).
# usage: bench/storage-bench.sh [PIPELINE] [MESSAGES]
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product storage-bench
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
.build/release/storage-bench "$@"
