#!/usr/bin/env bash
# Installs every missing test dependency (Debian packages, PyPI packages, the local S3 server)
# and runs every test: the Swift unit suites, the S3 integration suite (MinIOTest, against a real
# SeaweedFS it starts on 127.0.0.1), and the end-to-end tests that drive the objectmail binary
# and the README's run command.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install-deps.sh
source scripts/lib/deadline.sh
install_test_deps

echo "== swift build"
build_log=$(mktemp)
swift build --build-tests 2>&1 | tee "$build_log" | grep -E "error|warning:|Compiling|Build complete" | grep -v "^\[" || true
if grep -q "warning:" "$build_log"; then
    echo "The build has warnings (the project builds warning-free):"; grep "warning:" "$build_log" | sort -u
    exit 1
fi
grep -q "Build complete" "$build_log" || { cat "$build_log" | tail -50; exit 1; }

echo "== swift format lint"
# .swift-format is the project's style; `swift format -i --configuration .swift-format -r Sources Tests bench
# Package.swift` applies it.
swift format lint --strict --configuration .swift-format -r Sources Tests bench Package.swift

logs=$(mktemp -d)
# A whole run takes minutes (swift test ~4, end-to-end ~5 on 2 cores); the deadlines only catch a hang.
echo "== swift test"
run_with_deadline "${OBJECTMAIL_SWIFT_TEST_DEADLINE:-1500}" "$logs/swift-test.log" swift test --skip-build

echo "== end-to-end tests"
# faulthandler_timeout prints every thread's stack of a test running longer than 10 minutes.
export OBJECTMAIL_BIN="$(swift build --show-bin-path)/objectmail"
run_with_deadline "${OBJECTMAIL_E2E_DEADLINE:-2100}" "$logs/e2e.log" \
    python3 -m pytest -q -o faulthandler_timeout=600 Tests/EndToEnd

echo "== reliability suite (brief)"
# Tests/Reliability (docs/reliability.md): kill -9 with a ledger, randomfail, S3 stalled and killed, protocol
# fuzzing; ~30 s of load each, under 5 minutes in all. Its SUMMARY lines print the seeds to replay a failure.
run_with_deadline "${OBJECTMAIL_RELIABILITY_DEADLINE:-900}" "$logs/reliability.log" \
    python3 -m Tests.Reliability --brief
