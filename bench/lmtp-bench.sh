#!/usr/bin/env bash
# LMTP delivery benchmark: messages/s and p50/p99 latency at 1, 4 and 16 connections, ObjectMail
# (release build, posix store) against Dovecot 2.3's LMTP (Debian dovecot-lmtpd, Maildir) as the
# reference, same machine, same load generator, same run. Needs root (Dovecot drops to nobody).
#   bench/lmtp-bench.sh                 # 10 s per point
#   SECONDS_PER_POINT=30 SIZE=8192 bench/lmtp-bench.sh
#   OBOX_FS="s3:$OBJECTMAIL_TEST_S3_URL" bench/lmtp-bench.sh   # into an S3 server (e.g. MinIOTest/seaweedfs.sh);
#       then the store's PUTs per delivered recipient (mail objects + index bundles) are counted too
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install-deps.sh
install_build_deps
install_debian_packages dovecot-lmtpd

SECONDS_PER_POINT=${SECONDS_PER_POINT:-10}
SIZE=${SIZE:-4096}
CONNECTIONS=${CONNECTIONS:-"1 4 16"}

swift build -c release --product objectmail 2>&1 | grep -E "error|warning:|Compiling|Build complete" | grep -v "^\[" || true
binary="$(swift build -c release --show-bin-path)/objectmail"

work=$(mktemp -d /tmp/lmtp-bench-XXXXXX)
chmod 755 "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
objectmail_port=$(free_port)
dovecot_port=$(free_port)
users=$(seq -f "user%g@example.com" 1 10 | paste -sd, -)
seq -f "user%g@example.com:{PLAIN}secret::::::" 1 10 > "$work/users"

# The pipeline values go through %-variable expansion, so an S3 URL's %-escapes are written %% (as in Dovecot).
if [ -n "${OBOX_FS:-}" ]; then
    mail_fs=${OBOX_FS//%/%%}
    index_fs="compress:gz:6:$mail_fs"
else
    mail_fs="posix:$work/objects"
    index_fs="compress:gz:6:posix:$work/objects"
fi
cat > "$work/objectmail.conf" <<CONF
log_path = $work/objectmail.log
protocols = lmtp
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $objectmail_port
  }
}
mail_home = $work/objectmail-home/%u
passdb {
  driver = passwd-file
  args = $work/users
}
userdb {
  driver = passwd-file
  args = $work/users
}
mail_debug = ${OBOX_FS:+yes}
plugin {
  obox_fs = $mail_fs
  obox_index_fs = $index_fs
}
CONF

mkdir -p "$work/dovecot" "$work/maildir"
chmod 777 "$work/maildir"
cat > "$work/dovecot/dovecot.conf" <<CONF
base_dir = $work/dovecot/run
state_dir = $work/dovecot/state
instance_name = lmtp-bench-$dovecot_port
log_path = $work/dovecot/dovecot.log
protocols = lmtp
ssl = no
listen = 127.0.0.1
mail_location = maildir:$work/maildir/%u
passdb {
  driver = passwd-file
  args = $work/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$work/maildir/%u
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $dovecot_port
  }
}
CONF

"$binary" serve -c "$work/objectmail.conf" > "$work/objectmail.out" 2>&1 &
objectmail_pid=$!
dovecot -c "$work/dovecot/dovecot.conf"
cleanup() {
    kill -TERM "$objectmail_pid" 2>/dev/null || true
    dovecot -c "$work/dovecot/dovecot.conf" stop 2>/dev/null || true
    wait "$objectmail_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
for port in $objectmail_port $dovecot_port; do
    for _ in $(seq 1 100); do
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
        sleep 0.1
    done
done

echo "LMTP benchmark: ${SECONDS_PER_POINT}s per point, ${SIZE}-byte messages, 10 recipients in rotation, $(nproc) cores"
store="posix store"
[ -n "${OBOX_FS:-}" ] && store="S3 store"
echo "$(dovecot --version | cut -d' ' -f1) (Maildir) vs ObjectMail $("$binary" --version) ($store, release build)"
printf "%-12s %5s %9s %9s %9s %9s\n" server conns msgs msgs/s p50_ms p99_ms
for connections in $CONNECTIONS; do
    for target in "objectmail:$objectmail_port" "dovecot:$dovecot_port"; do
        label=${target%%:*}
        port=${target##*:}
        python3 bench/lmtp_load.py --port "$port" --connections "$connections" --seconds "$SECONDS_PER_POINT" \
            --size "$SIZE" --users "$users" --label "$label" |
            python3 -c 'import json,sys; r=json.load(sys.stdin); print("%-12s %5d %9d %9.1f %9.2f %9.2f%s" % (r["server"], r["connections"], r["messages"], r["msgs_per_s"], r["p50_ms"], r["p99_ms"], "  FAILURES=%d" % r["failures"] if r["failures"] else ""))'
    done
done | tee "$work/results.txt"

if [ -n "${OBOX_FS:-}" ]; then
    # Stop ObjectMail so that its clean-shutdown flush is counted, then count what went to the store:
    # one mail object per delivered recipient, and every index bundle (logged at debug level).
    kill -TERM "$objectmail_pid"; wait "$objectmail_pid" 2>/dev/null || true
    delivered=$(awk '$1 == "objectmail" { sum += $3 } END { print sum + 0 }' "$work/results.txt")
    saved=$(grep -c "saved mail to" "$work/objectmail.log" || true)
    bundles=$(grep -c "index bundle uploaded" "$work/objectmail.log" || true)
    python3 -c "import sys; d, s, b = map(int, sys.argv[1:]); print('store PUTs: %d mail objects + %d index bundles for %d delivered recipients = %.3f PUTs per recipient' % (s, b, d, (s + b) / max(d, 1)))" "$delivered" "$saved" "$bundles"
fi
