#!/usr/bin/env bash
# LMTP delivery benchmark: the LMTP scenario of the suite (bench/run.sh, results in docs/performance.md):
# ObjectMail on SeaweedFS and on posix against Dovecot 2.3's LMTP (Maildir) at 1, 4 and 16 connections,
# with S3 PUTs per recipient. Extra arguments go to bench/run.sh (e.g. --quick).
exec "$(dirname "$0")/run.sh" --scenarios lmtp "$@"
