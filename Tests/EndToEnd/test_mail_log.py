"""The mail_log plugin (issue 28, seed 002): `mail_plugins = $mail_plugins notify mail_log` writes one line per mail
event in Dovecot 2.3's format, so operators' log parsers keep working. The same IMAP session runs against a private
Dovecot 2.3 with the same mail_log settings, and the lines must be equal (message sizes aside: they depend on how
each server stores a message)."""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import REPO, command, raw_imap, wait_for_port

sys.path.insert(0, str(REPO / "bench" / "suite"))
from servers import Dovecot  # noqa: E402  (the benchmark's private Dovecot)

EVENTS = "delete undelete expunge save copy mailbox_create mailbox_delete mailbox_rename flag_change"
FIELDS = "uid box msgid size vsize flags from subject"
PLUGIN = f"  mail_log_events = {EVENTS}\n  mail_log_fields = {FIELDS}\n"
PREFIX = 'mail_log_prefix = "%s(%u)<%{session}>: "\n'

MESSAGE = (b"Message-ID: <m1@example.com>\r\nFrom: Jane Doe <jane@example.com>\r\n"
           b"Subject: =?UTF-8?Q?caf=C3=A9_=E2=82=AC?=\r\n\r\nHello\r\n")
SECOND = b"Message-ID: <m2@example.com>\r\nFrom: bob@example.org\r\nSubject: second\r\n\r\nBye\r\n"

# (tag, command) of the session both servers run; each step's lines are compared on their own.
SESSION = [
    (b"a1", b"APPEND INBOX {%d+}\r\n%s" % (len(MESSAGE), MESSAGE)),
    (b"a2", b"APPEND INBOX (\\Seen) {%d+}\r\n%s" % (len(SECOND), SECOND)),
    (b"c1", b"CREATE Trash"),
    (b"s1", b"SELECT INBOX"),
    (b"f1", b"STORE 1 +FLAGS (\\Flagged)"),
    (b"f2", b"STORE 1 +FLAGS ($Label1)"),
    (b"f3", b"STORE 1 +FLAGS (\\Deleted)"),
    (b"f4", b"STORE 1 -FLAGS (\\Deleted)"),
    (b"y1", b"COPY 1 Trash"),
    (b"m1", b"MOVE 2 Trash"),
    (b"f5", b"STORE 1 +FLAGS.SILENT (\\Deleted)"),
    (b"e1", b"EXPUNGE"),
    (b"c2", b"CREATE Old"),
    (b"r1", b"RENAME Old New"),
    (b"d1", b"DELETE Trash"),
]


def run_session(port: int) -> None:
    class Server:
        imap_port = port
    sock, reader = raw_imap(Server, "jane@example.com")
    for tag, text in SESSION:
        answer = command(sock, reader, tag, text)[-1]
        assert answer.startswith(tag + b" OK"), (text, answer)
    command(sock, reader, b"z", b"LOGOUT")
    sock.close()


LINE = re.compile(r"imap\(jane@example\.com\)<[^>]+>: Info: (.*)")
MAIL_LOG = re.compile(r"^(delete|undelete|expunge|autoexpunge|save|copy from \S+|flag_change|Mailbox (created|deleted|renamed)): ")


def mail_log_lines(log: str) -> list[str]:
    found = []
    for line in log.splitlines():
        match = LINE.search(line)
        if match and MAIL_LOG.match(match[1]):
            found.append(match[1])
    return found


def without_size(line: str) -> str:
    return re.sub(r"size=\d+", "size=N", line)


class MailLogDovecot(Dovecot):
    """The benchmark's Dovecot, IMAP only, with "/" as the separator (ours), and the mail_log settings."""

    def __init__(self, root: pathlib.Path, users: list[str]):
        super().__init__(root, users)
        text = self.config.read_text().replace("protocols = imap lmtp", "protocols = imap")
        self.config.write_text(text + PREFIX + f"""\
namespace inbox {{
  inbox = yes
  separator = /
}}
mail_plugins = $mail_plugins notify mail_log
plugin {{
{PLUGIN}}}
""")

    def wait_ready(self) -> None:
        wait_for_port(self.imap_port, self.process)


def dovecot_lines() -> list[str]:
    if not shutil.which("dovecot") or not pathlib.Path("/usr/lib/dovecot/imap").exists():
        pytest.skip("Dovecot 2.3 (dovecot-imapd) is not installed")
    # Dovecot's auth process runs as the dovecot user: its directory must be reachable (pytest's tmp_path is 0700).
    root = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-mail-log-dovecot-"))
    os.chmod(root, 0o755)
    try:
        dovecot = MailLogDovecot(root / "dovecot", ["jane@example.com"])
        dovecot.start()
        try:
            run_session(dovecot.imap_port)
            time.sleep(0.5)
        finally:
            dovecot.stop()
        return mail_log_lines((root / "dovecot" / "dovecot.log").read_text())
    finally:
        shutil.rmtree(root, ignore_errors=True)


def normalised(lines: list[str]) -> list[str]:
    """Sizes differ by storage (Dovecot's sdbox keeps LF line ends, we keep the CRLF bytes as received), and \\Recent is
    a session's view that Dovecot's mail_log reads from the selected mailbox; ours writes flags as stored."""
    return [re.sub(r" ?\\Recent", "", without_size(line)).replace("( ", "(") for line in lines]


def test_mail_log_lines_match_dovecot(imap_server):
    theirs = dovecot_lines()
    assert len(theirs) == 18, theirs  # Dovecot logged every step of the session
    server = imap_server(extra=PREFIX + "mail_plugins = $mail_plugins notify mail_log\n", plugin=PLUGIN)
    run_session(server.imap_port)
    deadline = time.monotonic() + 10
    while len(mail_log_lines(server.log.read_text())) < len(theirs) and time.monotonic() < deadline:
        time.sleep(0.1)
    ours = mail_log_lines(server.log.read_text())
    assert normalised(ours) == normalised(theirs), "\n".join(["ours:"] + ours + ["dovecot:"] + theirs)
    # Our sizes are the stored (CRLF) sizes, which are also the virtual sizes here.
    assert f"save: box=INBOX, uid=1, msgid=<m1@example.com>, size={len(MESSAGE)}, vsize={len(MESSAGE)}, " in "\n".join(ours)


def test_mail_log_events_and_fields_choose_what_is_logged(imap_server):
    server = imap_server(extra="mail_plugins = $mail_plugins notify mail_log\n",
                         plugin="  mail_log_events = expunge mailbox_rename\n  mail_log_fields = box uid msgid\n")
    run_session(server.imap_port)
    session = re.search(r"imap\(jane@example\.com\)<([^>]+)>: Info: Login:", server.log.read_text())[1]
    lines = mail_log_lines(server.log.read_text())
    assert lines == [
        "expunge: box=INBOX, uid=2, msgid=<m2@example.com>",
        "expunge: box=INBOX, uid=1, msgid=<m1@example.com>",
        "Mailbox renamed: Old -> New",
        "expunge: box=Trash, uid=1, msgid=<m1@example.com>",
        "expunge: box=Trash, uid=2, msgid=<m2@example.com>",
    ], lines
    # The session's own prefix, as Dovecot's: imap(user)<session>.
    assert f"imap(jane@example.com)<{session}>: Info: Mailbox renamed: Old -> New" in server.log.read_text()


def test_lmtp_delivery_logs_save_with_the_lmtp_prefix(imap_server):
    import smtplib
    server = imap_server(extra="mail_plugins = $mail_plugins notify mail_log\n", plugin="  mail_log_events = save\n")
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", ["jane@example.com"], MESSAGE)
    log = server.log.read_text()
    assert re.search(r"lmtp\(jane@example\.com\)<[^>]+>: Info: save: uid=1, msgid=<m1@example\.com>, size=\d+\n", log), log


def test_mail_log_needs_the_notify_plugin(objectmail_bin, tmp_path):
    """As Dovecot refuses to load mail_log without notify, with the same words."""
    config = tmp_path / "objectmail.conf"
    config.write_text("mail_plugins = mail_log\nmail_home = %s/home/%%u\n" % tmp_path)
    result = subprocess.run([objectmail_bin, "serve", "-c", str(config)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert "Plugin notify must be loaded also (you must set: mail_plugins=$mail_plugins notify)" in result.stdout + result.stderr, result
