#!/bin/sh
# Builds the MIME sources with a libFuzzer entry (ASan + fuzzer instrumentation) and fuzzes for N seconds.
# Usage: bench/fuzz/run-mime-fuzz.sh [seconds=600] [extra libFuzzer args…]
# Not part of `swift build`/CI. Corpus and crash files go to .build-fuzz/ (git-ignored).
set -eu
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-600}"
[ $# -gt 0 ] && shift
OUT=.build-fuzz
mkdir -p "$OUT/corpus" "$OUT/artifacts"
cp Tests/MIMETests/Corpus/*.eml "$OUT/corpus/" 2>/dev/null || true
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name MIMEFuzz \
    Sources/MIME/*.swift bench/fuzz/FuzzEntry.swift -o "$OUT/mime-fuzz"
exec "$OUT/mime-fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 "$@" "$OUT/corpus"
