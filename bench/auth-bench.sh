#!/bin/sh
# Logins/s against a passwd-file with SHA512-CRYPT, without and with the auth cache (release build).
# Usage: bench/auth-bench.sh [USERS] [LOGINS] [CONCURRENCY]
set -e
cd "$(dirname "$0")/.."
swift build -c release --product auth-bench
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  nproc: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
.build/release/auth-bench "$@"
