"""The seeds' Dovecot configurations (Tests/EndToEnd/seeds/, taken from ../shared/seeds/ with only endpoints and
paths changed): `objectmail config -n` reaches doveconf 2.3's verdict on every line (accepted, obsolete warning,
refused), except for the lines listed in NOT_YET; and the server runs seed 002's backend configuration."""
import os
import pathlib
import re
import shutil
import socket
import subprocess
import textwrap
import time

import pytest

from conftest import free_port, stop, wait_for_port

SEEDS = pathlib.Path(__file__).parent / "seeds"

# Lines (by their start) that ObjectMail refuses and Dovecot accepts, each with the reason; docs/configuration.md
# lists them. A line that starts being accepted must leave this list, or the verdict test fails.
NOT_YET = {
    "000-wikimedia.conf": {
        "maildir_copy_with_hardlinks": "maildir is not built: mail lives in an object store",
    },
    "001-mas.conf": {},
    "002-backend.conf": {},
}

S3_PLACEHOLDER = "s3:http://127.0.0.1:9/bucket/"


def render(name: str, directory: pathlib.Path, s3_url: str = S3_PLACEHOLDER, ldap_host: str = "127.0.0.1") -> pathlib.Path:
    """The seed file with its placeholders filled in, and the files it refers to created under `directory`."""
    var = directory / "var"
    (var / "ssl").mkdir(parents=True, exist_ok=True)
    (var / "postfix/private").mkdir(parents=True, exist_ok=True)
    cert, key = var / "ssl/example.net.chained.cert.pem", var / "ssl/example.net.key.pem"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=mail.example.net",
                        "-keyout", str(key), "-out", str(cert), "-days", "2"], check=True, capture_output=True)
    (var / "sql.conf").write_text((SEEDS / "001-sql.conf.ext").read_text())
    ldap = var / "ldap.conf"
    ldap.write_text((SEEDS / "002-ldap.conf.ext").read_text().replace("@LDAP_HOST@", ldap_host))
    text = ((SEEDS / name).read_text().replace("@VAR@", str(var)).replace("@SQL_CONF@", str(var / "sql.conf"))
            .replace("@LDAP_CONF@", str(ldap)).replace("@S3_URL@", s3_url))
    path = directory / name
    path.write_text(text)
    return path


ERROR = re.compile(r"Error in configuration file \S+ line (\d+): (.*)")
OBSOLETE = re.compile(r"Warning: Obsolete setting in [^:]+:(\d+): (.*)")
LATER_GLOBAL = re.compile(r"Warning: \S+ line (\d+): (Global setting .*)")


def verdicts(command: list[str], path: pathlib.Path) -> dict[int, str]:
    """{line number: "refused", "obsolete: MESSAGE" or "warning: MESSAGE"} for the lines a tool does not simply accept. A refused
    line is commented out (keeping the numbering) and the tool run again, until the file is accepted."""
    lines = path.read_text().split("\n")
    found: dict[int, str] = {}
    for _ in range(len(lines)):
        result = subprocess.run(command + [str(path)], capture_output=True, text=True, timeout=60)
        for number, message in OBSOLETE.findall(result.stderr):
            found[int(number)] = "obsolete: " + message
        for number, message in LATER_GLOBAL.findall(result.stderr):
            found[int(number)] = "warning: " + message.replace(str(path.parent) + "/", "")
        if result.returncode == 0:
            return found
        error = ERROR.search(result.stderr)
        assert error, result.stderr
        number = int(error[1])
        assert lines[number - 1].strip() and not lines[number - 1].lstrip().startswith("#"), result.stderr
        found[number] = "refused"
        lines[number - 1] = "#" + lines[number - 1]
        path.write_text("\n".join(lines))
    raise AssertionError("every line refused?")


@pytest.mark.parametrize("name", ["000-wikimedia.conf", "001-mas.conf", "002-backend.conf"])
def test_every_seed_line_gets_doveconfs_verdict(objectmail_bin, tmp_path, name):
    if not shutil.which("doveconf"):
        pytest.skip("doveconf (dovecot-core) is not installed")
    ours = verdicts([objectmail_bin, "config", "-n", "-c"], render(name, tmp_path / "ours"))
    theirs = verdicts(["doveconf", "-n", "-c"], render(name, tmp_path / "theirs"))
    text = render(name, tmp_path / "text").read_text().split("\n")
    expected_differences = {}
    for number, line in enumerate(text, start=1):
        if any(line.strip().startswith(start) for start in NOT_YET[name]):
            expected_differences[number] = "refused"
    for number in sorted(set(ours) | set(theirs)):
        line = text[number - 1].strip()
        if number in expected_differences:
            assert ours.get(number) == "refused" and number not in theirs, (number, line, ours.get(number), theirs.get(number))
        else:
            assert ours.get(number) == theirs.get(number), (number, line, ours.get(number), theirs.get(number))
    assert set(expected_differences) <= set(ours), "a NOT_YET line is accepted now: take it off the list"


def without_not_yet(path: pathlib.Path, name: str) -> None:
    """Comments out the NOT_YET lines."""
    text = path.read_text()
    path.write_text("\n".join("#" + line if any(line.strip().startswith(start) for start in NOT_YET[name]) else line
                              for line in text.split("\n")))


@pytest.mark.parametrize("name", ["001-mas.conf", "002-backend.conf"])
def test_config_accepts_the_seed_but_for_what_is_not_yet_built(objectmail_bin, tmp_path, name):
    path = render(name, tmp_path)
    if NOT_YET[name]:
        refused = subprocess.run([objectmail_bin, "config", "-n", "-c", str(path)], capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and ("Not supported yet" in refused.stderr or "is not built" in refused.stderr), refused.stderr
    without_not_yet(path, name)
    accepted = subprocess.run([objectmail_bin, "config", "-n", "-c", str(path)], capture_output=True, text=True, timeout=60)
    assert accepted.returncode == 0, accepted.stderr
    if name == "002-backend.conf":
        assert "mail_plugins = obox zlib notify mail_log quota\n" in accepted.stdout
        assert "protocol imap {\n  mail_plugins = obox zlib notify mail_log quota imap_quota\n}" in accepted.stdout
    everything = subprocess.run([objectmail_bin, "config", "-a", "-c", str(path)], capture_output=True, text=True, timeout=60)
    assert everything.returncode == 0, everything.stderr
    # mail_uid is honoured now (the server gives root up for it), so config -a no longer calls it without effect.
    assert "# accepted without effect: User (name or number) the server runs as" not in everything.stdout


def start_slapd(directory: pathlib.Path) -> tuple[subprocess.Popen, int]:
    """slapd with the seed's LDAP schema: a user found by mailRoutingAddress, with messageQuotaHard in KiB."""
    if not shutil.which("slapd") and not pathlib.Path("/usr/sbin/slapd").exists():
        pytest.skip("slapd is not installed")
    directory.mkdir()
    (directory / "db").mkdir()
    (directory / "seed.schema").write_text(textwrap.dedent("""\
        attributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'messageQuotaHard' EQUALITY integerMatch
            SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
        objectclass ( 1.3.6.1.4.1.55555.2.1 NAME 'smiMessageRecipient' SUP top AUXILIARY MAY ( messageQuotaHard ) )
        """))
    config = directory / "slapd.conf"
    config.write_text(textwrap.dedent(f"""\
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/nis.schema
        include /etc/ldap/schema/inetorgperson.schema
        include /etc/ldap/schema/misc.schema
        include {directory}/seed.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        pidfile {directory}/slapd.pid
        database mdb
        maxsize 10485760
        suffix "dc=example,dc=com"
        rootdn "cn=admin,dc=example,dc=com"
        rootpw secret
        directory {directory}/db
        access to attrs=userPassword by anonymous auth by * none
        access to * by * read
        """))
    (directory / "data.ldif").write_text(textwrap.dedent("""\
        dn: dc=example,dc=com
        objectClass: dcObject
        objectClass: organization
        o: Example
        dc: example

        dn: uid=jane,dc=example,dc=com
        objectClass: inetOrgPerson
        objectClass: inetLocalMailRecipient
        objectClass: smiMessageRecipient
        uid: jane
        cn: Jane
        sn: Doe
        mailRoutingAddress: jane@example.com
        userPassword: janepw
        messageQuotaHard: 1024
        """))
    subprocess.run(["/usr/sbin/slapadd", "-f", str(config), "-l", str(directory / "data.ldif")], check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(["/usr/sbin/slapd", "-d", "0", "-f", str(config), "-h", f"ldap://127.0.0.1:{port}/"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("slapd did not start")


def test_server_runs_seed_002_backend_configuration(objectmail_bin, tmp_path, seaweed):
    """S3 (SeaweedFS) and LDAP (slapd) stand in for the seed's endpoints; the listeners Dovecot has by default are added."""
    slapd, ldap_port = start_slapd(tmp_path / "slapd")
    try:
        url = seaweed["OBJECTMAIL_TEST_S3_URL"]
        # % is written %% in Dovecot settings (the seed says so for S3 secrets).
        path = render("002-backend.conf", tmp_path / "server", s3_url="s3:" + url.replace("%", "%%"), ldap_host=f"127.0.0.1:{ldap_port}")
        without_not_yet(path, "002-backend.conf")
        imap_port, pop3_port = free_port(), free_port()
        log = tmp_path / "server.log"
        # A run-specific key prefix, so that module-scoped S3 data from other tests never meets this user.
        text = path.read_text().replace("obox:%2Mu/%2.3Mu/%u", f"obox:seed002-{imap_port}/%2Mu/%2.3Mu/%u")
        # This machine has no `email` user (Dovecot, too, stops on an unknown mail_uid): run as the test's own user,
        # root knowingly if it is root (test_seed_001_server.py covers giving root up for a mail user).
        import pwd
        me = pwd.getpwuid(os.geteuid()).pw_name
        text = text.replace("mail_uid = email\nmail_gid = email\n", f"mail_uid = {me}\nfirst_valid_uid = {os.geteuid()}\n"
                            + ("mail_allow_root = yes\n" if os.geteuid() == 0 else ""))
        path.write_text(text + textwrap.dedent(f"""\
            log_path = {log}
            listen = 127.0.0.1
            service imap-login {{
              inet_listener imap {{
                port = {imap_port}
              }}
            }}
            service pop3-login {{
              inet_listener pop3 {{
                port = {pop3_port}
              }}
            }}
            service lmtp {{
              unix_listener {tmp_path}/lmtp {{
              }}
            }}
            """))
        process = subprocess.Popen([objectmail_bin, "serve", "-c", str(path)], cwd=tmp_path / "server",
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            wait_for_port(imap_port, process)
            with socket.create_connection(("127.0.0.1", imap_port), timeout=30) as sock:
                reader = sock.makefile("rb")
                assert reader.readline().startswith(b"* OK")
                sock.sendall(b"a CAPABILITY\r\n")
                capability = reader.readline()
                # auth_mechanisms = plain login
                assert b"AUTH=PLAIN AUTH=LOGIN" in capability, capability
                assert reader.readline().startswith(b"a OK")
                sock.sendall(b"b LOGIN jane@example.com janepw\r\n")
                answer = reader.readline()
                assert answer.startswith(b"b OK") and b"QUOTA" in answer, answer
                sock.sendall(b"c GETQUOTAROOT INBOX\r\n")
                lines = [reader.readline() for _ in range(3)]
                # messageQuotaHard = 1024 (KiB) through the prefetch userdb's userdb_quota_rule
                assert lines[1] == b'* QUOTA "User quota" (STORAGE 0 1024)\r\n', lines
                sock.sendall(b"d LIST \"\" *\r\n")
                listing = b""
                while not listing.endswith(b"d OK List completed.\r\n") and b"d OK" not in listing:
                    listing += reader.readline()
                for box in [b"Drafts", b"Junk", b"Sent", b"Trash"]:
                    assert box in listing, listing
                # The seed's mail_log (mailbox_rename among its events) under its mail_log_prefix.
                sock.sendall(b"e CREATE Old\r\nf RENAME Old New\r\n")
                while not reader.readline().startswith(b"f "):
                    pass
            # The seed's quota warnings: a delivery that takes jane (1024 KiB) over 95 % runs the script service.
            import smtplib
            with smtplib.LMTP(str(tmp_path / "lmtp"), timeout=60) as client:
                client.ehlo("client.test")
                client.sendmail("sender@example.org", ["jane@example.com"], b"Subject: big\r\n\r\n" + b"x" * (1000 * 1024))
            deadline = time.monotonic() + 15
            while "quota: Executing warning" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            text = log.read_text()
            assert re.search(r"imap\(jane@example\.com\)<[^>]+>: Info: Mailbox renamed: Old -> New\n", text), text
            assert re.search(r"lmtp\(jane@example\.com\)<[^>]+>: Info: quota: Executing warning: quota-warning 95 jane@example\.com "
                             r"\(because bytes=0 -> \d+ over limit 996147\)", text), text
        finally:
            stop(process)
    finally:
        slapd.kill()
        slapd.wait()


def lmtp_deliver(server, user: str, message: bytes) -> None:
    import smtplib
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", [user], message)


def test_zlib_save_stores_compressed_objects_and_reads_old_plain_ones(imap_server):
    """Seed 002: zlib_save may be turned on later; objects stored before stay readable."""
    from conftest import command, raw_imap
    plain = imap_server()
    lmtp_deliver(plain, "jane@example.com", b"Subject: before\r\n\r\nstored plain\r\n")
    plain.stop()
    server = imap_server(obox_fs=f"posix:{plain.objects}", extra="mail_plugins = $mail_plugins zlib\n",
                         plugin="  zlib_save = gz\n  zlib_save_level = 6\n")
    # The same bucket and home: the second server reads the first one's objects and index.
    server.config.write_text(server.config.read_text().replace(str(server.root / "home"), str(plain.root / "home"))
                             .replace(f"obox_index_fs = posix:{server.objects}", f"obox_index_fs = posix:{plain.objects}"))
    stop(server.process)
    server.process = subprocess.Popen([server.binary, "serve", "-c", str(server.config)], cwd=server.root,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for_port(server.imap_port, server.process)
    lmtp_deliver(server, "jane@example.com", b"Subject: after\r\n\r\nstored compressed\r\n")
    stored = plain.stored("jane@example.com")
    assert len(stored) == 2
    assert sum(body.startswith(b"\x1f\x8b") for body in stored) == 1, stored
    assert any(b"stored plain" in body for body in stored)
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"s", b"SELECT INBOX")
    fetched = b"".join(command(sock, reader, b"f", b"FETCH 1:2 BODY.PEEK[TEXT]"))
    assert b"stored plain" in fetched and b"stored compressed" in fetched, fetched
    command(sock, reader, b"o", b"LOGOUT")


def test_auth_mechanisms_decide_what_imap_and_pop3_offer(pop3_server):
    from conftest import command, raw_imap
    server = pop3_server(extra="auth_mechanisms = plain\n")
    sock, reader = raw_imap(server)
    capability = command(sock, reader, b"c", b"CAPABILITY")[0]
    assert b"AUTH=PLAIN" in capability and b"AUTH=LOGIN" not in capability, capability
    assert command(sock, reader, b"a", b"AUTHENTICATE LOGIN")[-1] == b"a NO Unsupported authentication mechanism.\r\n"
    pop3 = socket.create_connection(("127.0.0.1", server.pop3_port), timeout=30)
    pop3_reader = pop3.makefile("rb")
    pop3_reader.readline()
    pop3.sendall(b"CAPA\r\n")
    capa = b""
    while not capa.endswith(b".\r\n"):
        capa += pop3_reader.readline()
    assert b"SASL PLAIN\r\n" in capa, capa
    pop3.sendall(b"AUTH LOGIN\r\n")
    assert pop3_reader.readline().startswith(b"-ERR"), capa


def test_mail_log_prefix_starts_the_lines_of_a_logged_in_user(imap_server):
    server = imap_server(extra='mail_log_prefix = "%s[%n at %d]: "\n')
    client = server.imap("jane@example.com")
    client.logout()
    log = server.log.read_text()
    assert "imap[jane at example.com]: Info: Login: user=<jane@example.com>" in log, log
