#!/usr/bin/env bash
# Starts ObjectMail on the embedded default configuration (conf/objectmail.conf): data under ./var,
# mail objects in a local folder, no S3 needed. Installs the build dependencies it is missing first.
# Extra arguments go to `objectmail serve` (e.g. -c conf/examples/s3.conf).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/install-deps.sh
install_build_deps
mkdir -p var
configuration=debug
[ "${OBJECTMAIL_RELEASE:-0}" = 1 ] && configuration=release
swift build -c "$configuration" --product objectmail
exec "$(swift build -c "$configuration" --show-bin-path)/objectmail" serve "$@"
