#!/bin/sh
# The MIME libFuzzer target; kept for its old name: bench/fuzz/run-fuzz.sh mime [seconds=600] [libFuzzer args…]
exec "$(dirname "$0")/run-fuzz.sh" mime "$@"
