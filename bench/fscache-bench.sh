#!/bin/sh
# Builds fscache-bench in release and runs it once (see docs/fscache-benchmark.md).
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product fscache-bench
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
.build/release/fscache-bench
