#!/usr/bin/env bash
# Installs every missing test dependency (Debian packages, PyPI packages, the local S3 server)
# and runs every test: the Swift unit suites, the S3 integration suite (MinIOTest, against a real
# SeaweedFS it starts on 127.0.0.1), and the end-to-end tests that drive the objectmail binary
# and the README's run command.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install-deps.sh
install_test_deps

echo "== swift build"
build_log=$(mktemp)
swift build --build-tests 2>&1 | tee "$build_log" | grep -E "error|warning:|Compiling|Build complete" | grep -v "^\[" || true
if grep -q "warning:" "$build_log"; then
    echo "The build has warnings (the project builds warning-free):"; grep "warning:" "$build_log" | sort -u
    exit 1
fi
grep -q "Build complete" "$build_log" || { cat "$build_log" | tail -50; exit 1; }

echo "== swift test"
swift test --skip-build

echo "== end-to-end tests"
OBJECTMAIL_BIN="$(swift build --show-bin-path)/objectmail" python3 -m pytest -q Tests/EndToEnd
