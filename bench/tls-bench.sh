#!/bin/sh
# TLS overhead on IMAP (see docs/tls.md): connections/s with and without the TLS handshake, and FETCH
# MB/s over TLS versus plaintext, against a release build on a temporary configuration.
# Usage: bench/tls-bench.sh [SECONDS_PER_POINT] [CLIENT_THREADS]
#        OBJECTMAIL_BIN=.build/debug/objectmail bench/tls-bench.sh   # skip the release build (figures are then meaningless)
set -eu
cd "$(dirname "$0")/.."
if [ -z "${OBJECTMAIL_BIN:-}" ]; then
    swift build -c release --product objectmail
    OBJECTMAIL_BIN=.build/release/objectmail
fi
exec python3 bench/tls_bench.py "$(realpath "$OBJECTMAIL_BIN")" "$@"
