"""A real Postfix (Debian's) relays 100 messages submitted with its sendmail to ObjectMail over LMTP."""
import os
import pathlib
import pwd
import shutil
import subprocess
import tempfile
import time

import pytest

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"

# Postfix's master must start as root; scripts/test.sh installs postfix, so a missing package fails.
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="Postfix's master needs root (it starts its own instance)")


def message(number: int) -> bytes:
    # Complete headers, so Postfix's cleanup adds nothing but its Received: line.
    return (f"From: sender@example.org\nTo: rcpt@example.com\nDate: Sun, 22 Nov 2026 05:00:00 +0000\n"
            f"Message-ID: <postfix-{number}@example.org>\nSubject: message {number}\n"
            f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"Line one of {number}\n.a line with a leading dot\n..two dots\n\u00e9t\u00e9\n.\nlast\n").encode()


class Postfix:
    """A Postfix instance under a temporary config and queue directory (its own master, no port 25)."""

    def __init__(self, lmtp_destination: str, master_lines: str = "", main_lines: str = ""):
        # Postfix's daemons run as user postfix and must reach the queue: not under pytest's 0700 tmp.
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-postfix-"))
        self.root.chmod(0o755)
        self.config = self.root / "etc"
        self.config.mkdir()
        self.log = self.root / "postfix.log"
        master = pathlib.Path("/etc/postfix/master.cf").read_text().splitlines()
        # No SMTP listener: the test submits with sendmail only, and port 25 may be taken.
        master = [line for line in master if not line.startswith("smtp      inet")]
        (self.config / "master.cf").write_text("\n".join(master) + "\n" + master_lines)
        (self.config / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {self.root}/queue
data_directory = {self.root}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = mx.test
myorigin = mx.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
virtual_mailbox_domains = example.com
virtual_transport = {lmtp_destination}
maillog_file = {self.log}
maillog_file_prefixes = {self.root}
""" + main_lines)
        self.postconf("-F", "*/*/chroot = n")
        # The queue belongs to root (Postfix creates its subdirectories), the data directory to postfix.
        (self.root / "queue").mkdir()
        (self.root / "data").mkdir()
        shutil.chown(self.root / "data", user="postfix")
        started = subprocess.run([POSTFIX, "-c", str(self.config), "start"], capture_output=True, text=True, timeout=60)
        assert started.returncode == 0, started.stdout + started.stderr + self.log_text()

    def postconf(self, *args: str) -> None:
        subprocess.run(["postconf", "-c", str(self.config), *args], check=True, capture_output=True, timeout=30)

    def sendmail(self, sender: str, recipient: str, data: bytes) -> None:
        # -i: a line with a lone dot is part of the message, not its end.
        subprocess.run([SENDMAIL, "-C", str(self.config), "-i", "-f", sender, recipient], input=data, check=True, timeout=60)

    def stop(self) -> None:
        subprocess.run([POSTFIX, "-c", str(self.config), "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else "(no postfix log)"


def test_postfix_delivers_100_messages_byte_exact(lmtp_server):
    server = lmtp_server()
    postfix = Postfix(f"lmtp:inet:127.0.0.1:{server.port}")
    try:
        for number in range(100):
            postfix.sendmail("sender@example.org", ["jane@example.com", "joe@example.com"][number % 2], message(number))
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if len(server.stored("jane@example.com")) + len(server.stored("joe@example.com")) >= 100:
                break
            time.sleep(0.5)
        stored = server.stored("jane@example.com") + server.stored("joe@example.com")
        assert len(stored) == 100, postfix.log_text()[-3000:]
        log = postfix.log_text()
    finally:
        postfix.stop()

    expected = {message(number).replace(b"\n", b"\r\n") for number in range(100)}
    found = set()
    for item in stored:
        original = next((candidate for candidate in expected if item.endswith(candidate)), None)
        assert original is not None, item[:2000]
        added = item[:-len(original)]
        # Only trace headers in front: ours (Return-Path, Delivered-To, Received) and Postfix's Received.
        assert added.startswith(b"Return-Path: <sender@example.org>\r\nDelivered-To: ")
        header_names = [line.split(b":")[0] for line in added.split(b"\r\n") if line and not line.startswith(b"\t")
                        and not line.startswith(b" ")]
        assert header_names == [b"Return-Path", b"Delivered-To", b"Received", b"Received"], added
        found.add(original)
    assert found == expected
    assert log.count("status=sent") == 100
    assert "250 2.0.0" in log


def test_postfix_delivers_over_the_unix_socket_it_is_given(lmtp_server):
    """`unix_listener PATH { mode = 0600 user = postfix }` as Postfix's lmtp:unix: transport needs it."""
    socket_dir = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-lmtp-socket-"))
    socket_dir.chmod(0o755)
    socket_path = socket_dir / "dovecot-lmtp"
    try:
        server = lmtp_server(extra=f"service lmtp {{\n  unix_listener {socket_path} {{\n    mode = 0600\n"
                                   f"    user = postfix\n    group = postfix\n  }}\n}}\n")
        status = os.stat(socket_path)
        assert (status.st_mode & 0o777, status.st_uid) == (0o600, pwd.getpwnam("postfix").pw_uid)
        postfix = Postfix(f"lmtp:unix:{socket_path}")
        try:
            for number in range(10):
                postfix.sendmail("sender@example.org", "ann@example.com", message(number))
            deadline = time.monotonic() + 120
            while len(server.stored("ann@example.com")) < 10 and time.monotonic() < deadline:
                time.sleep(0.5)
            stored = server.stored("ann@example.com")
            assert len(stored) == 10, postfix.log_text()[-3000:]
        finally:
            postfix.stop()
        assert b"Received: from mx.test ([local])" in stored[0]
    finally:
        shutil.rmtree(socket_dir, ignore_errors=True)
