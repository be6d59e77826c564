#!/bin/sh
# S3 benchmark: ObjectMail's S3Client vs boto3 on the same SeaweedFS server in the same run.
# Starts SeaweedFS (MinIOTest/seaweedfs.sh), builds s3-bench in release, runs both workloads and prints a
# markdown table: PUT/GET/HEAD/DELETE req/s and MB/s at 4 KB and 1 MB with 1, 8 and 32 requests in flight.
#   bench/s3-bench.sh [SIZE:COUNT ...]     default: 4096:3000 1048576:300 (a quarter of COUNT at 1 in flight)
# The two clients alternate per (size, in-flight) step, so load from other processes hits both alike.
set -eu
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/objectmail-s3-bench.XXXXXX)
trap 'MinIOTest/seaweedfs.sh stop "$data/weed" >/dev/null 2>&1 || true; rm -rf "$data"' EXIT INT TERM
swift build -c release --product s3-bench >&2
SEAWEEDFS_WATCH_PID=$$ MinIOTest/seaweedfs.sh start "$data/weed" > "$data/env"
. "$data/env"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')" >&2
[ $# -gt 0 ] || set -- 4096:3000 1048576:300
: > "$data/results"
for workload in "$@"; do
    for inflight in 1 8 32; do
        .build/release/s3-bench "$OBJECTMAIL_TEST_S3_URL" "$workload:$inflight" | tee -a "$data/results" >&2
        python3 bench/s3_bench_boto3.py "$OBJECTMAIL_TEST_S3_ENDPOINT" "$OBJECTMAIL_TEST_S3_ACCESS_KEY" \
            "$OBJECTMAIL_TEST_S3_SECRET_KEY" "$OBJECTMAIL_TEST_S3_BUCKET" "$workload:$inflight" | tee -a "$data/results" >&2
    done
done
python3 - "$data/results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 7 and parts[0] == "RESULT":
        _, client, op, size, inflight, count, seconds = parts
        rows.setdefault((int(size), int(inflight), op), {})[client] = (int(count) / float(seconds), int(size))
print("| size | in flight | op | ObjectMail req/s | ObjectMail MB/s | boto3 req/s | boto3 MB/s | ratio |")
print("|---|---|---|---|---|---|---|---|")
order = {"PUT": 0, "GET": 1, "HEAD": 2, "DELETE": 3}
for (size, inflight, op) in sorted(rows, key=lambda k: (k[0], k[1], order[k[2]])):
    r = rows[(size, inflight, op)]
    om, bt = r.get("objectmail"), r.get("boto3")
    def fmt(x):
        if x is None: return "-", "-"
        rate = x[0]
        mb = rate * size / 1e6 if op in ("PUT", "GET") else None
        return f"{rate:.0f}", (f"{mb:.1f}" if mb is not None else "-")
    label = f"{size // 1024} KB" if size < 1 << 20 else f"{size >> 20} MB"
    ratio = f"{om[0] / bt[0]:.2f}x" if om and bt else "-"
    print(f"| {label} | {inflight} | {op} | {' | '.join(fmt(om))} | {' | '.join(fmt(bt))} | {ratio} |")
PY
