#!/bin/sh
# Builds one libFuzzer target (ASan + fuzzer instrumentation, swiftc alone: no SwiftPM) and fuzzes it for N seconds.
# Usage: bench/fuzz/run-fuzz.sh TARGET [seconds=600] [extra libFuzzer args…]
#   mime    Sources/MIME (MIMEFuzzTarget.exercise)                      corpus: Tests/MIMETests/Corpus
#   imap    Sources/IMAPProtocol Parser + Model (IMAPCommandParser)     corpus: bench/fuzz/seeds/imap.txt lines
#   lmtp    Sources/Server/LMTP LMTPCommand, XClient, DataReader        corpus: bench/fuzz/seeds/lmtp.txt lines
#   config  Sources/Config ConfigParser                                 corpus: conf/, Tests/ConfigTests/Fixtures
# The IMAP and LMTP sources import NIOCore only for ByteBuffer; they are copied without that import and built with
# bench/fuzz/NIOCoreShim.swift. Sources that import Primitives are copied without that import and built together
# with Primitives' files (those that need no NIO). Not part of `swift build`/CI (one build takes minutes). Corpus, crash files and the
# binary go to .build-fuzz/TARGET/ (git-ignored); libFuzzer prints exec counts (stat::number_of_executed_units).
set -eu
cd "$(dirname "$0")/../.."
TARGET="${1:?usage: $0 mime|imap|lmtp|config [seconds] [libFuzzer args]}"
shift
SECONDS_TO_RUN="${1:-600}"
[ $# -gt 0 ] && shift
FUZZ_ARGS="$*"  # the rest goes to libFuzzer (no spaces inside an argument)
OUT=".build-fuzz/$TARGET"
SRC="$OUT/src"
rm -rf "$SRC"
mkdir -p "$OUT/corpus" "$OUT/artifacts" "$SRC"

seed_lines() {  # one corpus file per line of a seed file (with CRLF, as the wire has it)
    n=0
    while IFS= read -r line; do
        n=$((n + 1)); printf '%s\r\n' "$line" > "$OUT/corpus/seed-$n"
    done < "$1"
}
without_nio() {  # copies sources without their `import NIOCore` (the shim stands in) and `import Primitives`
    for file in "$@"; do sed -e '/^import NIOCore$/d' -e '/^import Primitives$/d' "$file" > "$SRC/$(basename "$file")"; done
}
with_primitives() {  # Primitives' sources that build without NIO, into the same module as the target's
    for file in Sources/Primitives/*.swift; do
        grep -q '^import NIO' "$file" || cp "$file" "$SRC/Primitives-$(basename "$file")"
    done
}

case "$TARGET" in
mime)
    cp Tests/MIMETests/Corpus/*.eml "$OUT/corpus/" 2>/dev/null || true
    without_nio Sources/MIME/*.swift
    with_primitives
    set -- "$SRC"/*.swift bench/fuzz/FuzzEntry.swift -I Sources/CZlib -lz
    MAX_LEN=65536 ;;
imap)
    seed_lines bench/fuzz/seeds/imap.txt
    without_nio Sources/IMAPProtocol/Parser/*.swift Sources/IMAPProtocol/Model/*.swift
    with_primitives
    set -- "$SRC"/*.swift bench/fuzz/NIOCoreShim.swift bench/fuzz/IMAPParserFuzzEntry.swift -I Sources/CZlib -lz
    MAX_LEN=8192 ;;
lmtp)
    seed_lines bench/fuzz/seeds/lmtp.txt
    without_nio Sources/Server/LMTP/LMTPCommand.swift Sources/Server/LMTP/DataReader.swift
    # XClient lives beside code that needs the whole server: take just the enum.
    awk '/^enum XClient/,/^}/' Sources/Server/LMTP/LMTPTransportCommands.swift > "$SRC/XClient.swift"
    grep -q "static func parse" "$SRC/XClient.swift" || { echo "XClient not found in LMTPTransportCommands.swift" >&2; exit 1; }
    with_primitives
    set -- "$SRC"/*.swift bench/fuzz/NIOCoreShim.swift bench/fuzz/LMTPCommandFuzzEntry.swift -I Sources/CZlib -lz
    MAX_LEN=4096 ;;
config)
    n=0
    for file in conf/objectmail.conf conf/examples/* Tests/ConfigTests/Fixtures/*; do
        [ -f "$file" ] || continue
        n=$((n + 1)); cp "$file" "$OUT/corpus/seed-$n"
    done
    set -- Sources/Config/ConfigParser.swift Sources/Config/ConfigDocument.swift Sources/Config/ConfigError.swift \
        Sources/Config/SourceLocation.swift Sources/Config/Suggestion.swift bench/fuzz/ConfigParserFuzzEntry.swift
    MAX_LEN=16384 ;;
*)
    echo "unknown target $TARGET (mime, imap, lmtp, config)" >&2; exit 2 ;;
esac

echo "== building $OUT/fuzz"
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name "$(echo "$TARGET" | tr a-z A-Z)Fuzz" \
    "$@" -o "$OUT/fuzz"
echo "== fuzzing $TARGET for $SECONDS_TO_RUN s"
# The Swift runtime's backtracer would outlive a crashed target (ASan and libFuzzer print the stack anyway).
SWIFT_BACKTRACE=enable=no exec "$OUT/fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 $FUZZ_ARGS "$OUT/corpus"
