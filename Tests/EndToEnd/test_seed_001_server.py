"""Seed 001 ("MAS - Mail Access Server") served whole: its configuration file (Tests/EndToEnd/seeds/001-mas.conf) with
only endpoints and paths filled in, a MariaDB behind its dovecot-sql.conf.ext (driver and connect only, so Dovecot's
built-in queries), the static userdb with uid=vmail, mail_uid = vmail. Started as root, the server binds its ports
and sockets, then runs as vmail; IMAP (ssl = required: STARTTLS), LMTP on the Postfix socket and SMTP AUTH on the
auth socket all answer from the seed's settings."""
import imaplib
import os
import pathlib
import pwd
import shutil
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

from conftest import free_port, stop, wait_for, wait_for_port
from test_auth_socket import AuthClient, plain
from test_seed_configs import render

MARIADB = "/usr/sbin/mariadbd"


class MariaDB:
    """A throw-away mariadbd on 127.0.0.1 with its own data directory."""

    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        self.port = free_port()
        self.socket = directory / "sock"
        subprocess.run(["/usr/bin/mariadb-install-db", "--no-defaults", f"--datadir={directory}/data", "--skip-test-db",
                        "--auth-root-authentication-method=normal", "--user=root"], check=True, capture_output=True, timeout=300)
        self.process = subprocess.Popen(
            [MARIADB, "--no-defaults", "--user=root", f"--datadir={directory}/data", f"--socket={self.socket}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={directory}/pid",
             f"--log-error={directory}/error.log", "--innodb-buffer-pool-size=16M", "--skip-log-bin"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: self.try_sql("SELECT 1"), timeout=60), (directory / "error.log").read_text()

    def try_sql(self, statements: str) -> bool:
        return subprocess.run(["/usr/bin/mariadb", "--no-defaults", "-S", str(self.socket), "-uroot"], input=statements,
                              capture_output=True, text=True, timeout=60).returncode == 0

    def sql(self, statements: str) -> None:
        assert self.try_sql(statements), statements

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


class FromElsewhere(imaplib.IMAP4):
    """An IMAP client whose connection starts from 127.0.0.2, so it is not the server's own address."""

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=("127.0.0.2", 0))


@pytest.fixture
def vmail():
    if os.geteuid() != 0:
        pytest.skip("mail_uid = vmail: only root can give root up for it")
    try:
        return pwd.getpwnam("vmail")
    except KeyError:
        raise AssertionError("user vmail is missing: scripts/test.sh creates it (useradd --system vmail), as Dovecot guides do")


def test_seed_001_runs_as_vmail_with_sql_auth_lmtp_and_the_auth_socket(objectmail_bin, vmail):
    assert os.path.exists(MARIADB), "mariadb-server is missing: scripts/test.sh installs it"
    # vmail must be able to reach its files: not under pytest's 0700 temporary folder.
    root = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-seed001-"))
    database = None
    try:
        os.chmod(root, 0o755)
        database = MariaDB(root / "mariadb")
        # The seed's connect line names user mailuser with the password the document masks as ********.
        database.sql("CREATE DATABASE mailserver;"
                     "CREATE USER 'mailuser'@'%' IDENTIFIED BY '********';"
                     "GRANT SELECT ON mailserver.* TO 'mailuser'@'%';"
                     "CREATE TABLE mailserver.users (username VARCHAR(64), domain VARCHAR(64), password VARCHAR(128));"
                     "INSERT INTO mailserver.users VALUES ('jane', 'example.net', '{PLAIN}janepw');")
        path = render("001-mas.conf", root / "server")
        var = root / "server" / "var"
        sql_conf = var / "sql.conf"
        sql_conf.write_text(sql_conf.read_text().replace("host=127.0.0.1", f"host=127.0.0.1 port={database.port}"))
        # The quota-warning service's script, as the document has it, delivering with our lda.
        script = var / "dovecot-quota-warning"
        script.write_text(f"#!/bin/sh\nPERCENT=$1\nUSER=$2\ncat << EOF | {objectmail_bin} lda -c {path} -d $USER\n"
                          "From: postmaster@example.net\nSubject: quota warning\n\nYour mailbox is now $PERCENT% full.\nEOF\n")
        script.chmod(0o755)
        (var / "vmail").mkdir()
        os.chown(var / "vmail", vmail.pw_uid, vmail.pw_gid)
        imap_port = free_port()
        log = root / "server" / "objectmail.log"
        # What the document does not say: where the objects live (its mail was Maildir), the log, and IMAP's port.
        path.write_text(path.read_text() + f"""\
plugin {{
  obox_fs = posix:{var}/vmail/objects
  obox_index_fs = posix:{var}/vmail/objects
}}
log_path = {log}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
}}
""")
        checked = subprocess.run([objectmail_bin, "config", "-n", "-c", str(path)], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stderr
        process = subprocess.Popen([objectmail_bin, "serve", "-c", str(path)], cwd=root / "server",
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            wait_for_port(imap_port, process)
            assert wait_for(lambda: "running as vmail" in log.read_text()), log.read_text()
            status = (pathlib.Path("/proc") / str(process.pid) / "status").read_text()
            assert f"Uid:\t{vmail.pw_uid}\t{vmail.pw_uid}\t{vmail.pw_uid}\t{vmail.pw_uid}" in status, status
            lmtp_socket, auth_socket = var / "postfix/private/dovecot-lmtp", var / "postfix/private/auth"
            for socket_path, mode in [(lmtp_socket, 0o600), (auth_socket, 0o660)]:
                info = socket_path.stat()
                assert (info.st_mode & 0o777, pwd.getpwuid(info.st_uid).pw_name) == (mode, "postfix"), socket_path

            # Postfix's lmtp client: the static userdb (allow_all_users) takes the recipient.
            with smtplib.LMTP(str(lmtp_socket), timeout=60) as client:
                client.ehlo("mail.example.net")
                client.sendmail("sender@example.org", ["jane@example.net"], b"Subject: seed 001\r\n\r\nhello\r\n")

            # Postfix's smtpd asks the auth socket (smtpd_sasl_type = dovecot); auth_mechanisms = plain.
            auth = AuthClient(auth_socket)
            assert [line for line in auth.handshake if line.startswith("MECH\t")] == ["MECH\tPLAIN\tplaintext"]
            local = "lip=127.0.0.1\trip=127.0.0.1"
            assert auth.send(f"AUTH\t1\tPLAIN\tservice=smtp\tnologin\t{local}\tresp={plain('jane@example.net', 'janepw')}") \
                == "OK\t1\tuser=jane@example.net"
            assert auth.send(f"AUTH\t2\tPLAIN\tservice=smtp\t{local}\tresp={plain('jane@example.net', 'nope')}") \
                .startswith("FAIL\t2")
            auth.sock.close()

            # ssl = required: no LOGIN before STARTTLS. A client on this very address counts as secured (Dovecot's
            # rule), so the client comes from 127.0.0.2.
            client = FromElsewhere("127.0.0.1", imap_port, timeout=60)
            assert "LOGINDISABLED" in client.capabilities
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            client.starttls(context)
            client.login("jane@example.net", "janepw")
            typ, listing = client.list()
            names = b"\n".join(listing)
            for box in [b"\\Drafts) \"/\" Drafts", b"\\Junk) \"/\" Junk", b"\\Trash) \"/\" Trash",
                        b"\\Archive) \"/\" Archives", b"\\Sent) \"/\" Sent"]:
                assert box in names, names
            typ, subscribed = client.lsub()
            assert len(subscribed) == 6, subscribed  # INBOX and the five auto = subscribe mailboxes
            # quota_rule = *:storage=15G, counted by the count backend.
            typ, quota = client.getquotaroot("INBOX")
            assert [b'INBOX "User quota"'] == quota[0] and quota[1][0].startswith(b'"User quota" (STORAGE '), quota
            assert quota[1][0].endswith(b" 15728640)"), quota
            assert client.select("INBOX") == ("OK", [b"1"])
            client.logout()
            # The index lives in the static userdb's home, created by and owned by vmail.
            home = var / "vmail/example.net/jane"
            assert wait_for(home.exists) and home.stat().st_uid == vmail.pw_uid
        finally:
            assert stop(process) == 0
    finally:
        if database:
            database.stop()
        shutil.rmtree(root, ignore_errors=True)
