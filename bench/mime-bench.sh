#!/bin/sh
# Builds mime-bench in release (own build dir, so debug builds stay warm) and runs it on one core.
# Usage: bench/mime-bench.sh [scale=1]
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product mime-bench --build-path .build-release 2>&1 | grep -E "error|warning: |Compiling|Build" | tail -3
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
exec taskset -c 0 .build-release/release/mime-bench "$@"
