"""POP3 (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH) against a real `objectmail serve` process:
poplib for what it covers, a raw socket for exact bytes and error paths."""
import base64
import pathlib
import poplib
import shutil
import socket
import subprocess
import textwrap

import pytest

from conftest import stop, wait_for_port

USER = "jane@example.com"


def message(number: int, body: bytes = b"") -> bytes:
    return (b"From: Sender <sender@example.org>\r\nTo: jane@example.com\r\nSubject: message %d\r\n"
            b"Message-ID: <pop%d@example.org>\r\n\r\nLine one of %d\r\n.leading dot\r\n..two dots\r\n%s"
            % (number, number, number, body))


class RawPOP3:
    """A plain socket, for exact octets and for what poplib refuses to send."""

    def __init__(self, server, user=None):
        self.sock = socket.create_connection(("127.0.0.1", server.pop3_port), timeout=30)
        self.reader = self.sock.makefile("rb")
        assert self.reader.readline().startswith(b"+OK")
        if user:
            assert self.command(b"USER " + user.encode()).startswith(b"+OK")
            assert self.command(b"PASS secret").startswith(b"+OK")

    def command(self, line: bytes) -> bytes:
        self.sock.sendall(line + b"\r\n")
        return self.reader.readline()

    def multiline(self) -> bytes:
        """The raw lines up to the terminating '.', exactly as sent (still dot-stuffed)."""
        data = b""
        while True:
            line = self.reader.readline()
            assert line, "connection closed"
            if line == b".\r\n":
                return data
            data += line

    def close(self):
        self.sock.close()


def test_greeting_capa_and_authentication(pop3_server):
    server = pop3_server()
    client = server.pop3()
    assert client.getwelcome() == b"+OK ObjectMail ready."
    capabilities = client.capa()
    assert {"TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "USER"} <= capabilities.keys()
    assert capabilities["SASL"] == ["PLAIN", "LOGIN"]
    assert "STLS" not in capabilities and "LAST" not in capabilities  # no TLS in this build; LAST is not supported
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\] Authentication failed"):
        client.user(USER)
        client.pass_("wrong")
    client.user(USER)
    assert client.pass_("secret") == b"+OK Logged in."
    assert "USER" not in client.capa()  # logged in: no more login mechanisms
    client.quit()

    raw = RawPOP3(server)
    assert raw.command(b"PASS secret").startswith(b"-ERR No username")
    assert raw.command(b"STAT").startswith(b"-ERR Unknown command")
    assert raw.command(b"APOP jane@example.com c4c9334bac560ecc979e58001b3e22fb").startswith(b"-ERR")
    assert raw.command(b"STLS").startswith(b"-ERR")
    assert raw.command(b"AUTH") == b"+OK\r\n" and raw.multiline() == b"PLAIN\r\nLOGIN\r\n"
    assert raw.command(b"AUTH CRAM-MD5").startswith(b"-ERR Unsupported")
    assert raw.command(b"AUTH PLAIN") == b"+ \r\n"
    assert raw.command(b"*").startswith(b"-ERR Authentication aborted")
    assert raw.command(b"AUTH PLAIN") == b"+ \r\n"
    assert raw.command(b"not base64!").startswith(b"-ERR Invalid base64")
    assert raw.command(b"AUTH PLAIN " + base64.b64encode(b"\0jane@example.com\0wrong")).startswith(b"-ERR [AUTH]")
    assert raw.command(b"AUTH PLAIN " + base64.b64encode(b"joe@example.com\0jane@example.com\0secret")).startswith(b"-ERR [AUTH]")
    assert raw.command(b"AUTH PLAIN " + base64.b64encode(b"\0jane@example.com\0secret")) == b"+OK Logged in.\r\n"
    assert raw.command(b"USER joe@example.com").startswith(b"-ERR")
    assert raw.command(b"QUIT") == b"+OK Logging out.\r\n"
    raw.close()

    raw = RawPOP3(server)
    assert raw.command(b"AUTH LOGIN") == b"+ VXNlcm5hbWU6\r\n"
    assert raw.command(base64.b64encode(b"joe@example.com")) == b"+ UGFzc3dvcmQ6\r\n"
    assert raw.command(base64.b64encode(b"secret")) == b"+OK Logged in.\r\n"
    raw.close()


def test_sizes_are_exactly_what_retr_sends(pop3_server):
    server = pop3_server()
    bodies = [message(1), message(2, b"x" * 5000 + b"\r\n.\r\n"), message(3, b"no final line end")]
    for body in bodies:
        server.deliver(USER, body)
    raw = RawPOP3(server, USER)
    assert raw.command(b"LIST") == b"+OK 3 messages:\r\n"
    sizes = [int(line.split()[1]) for line in raw.multiline().splitlines()]
    assert raw.command(b"STAT") == b"+OK 3 %d\r\n" % sum(sizes)
    for number, size in enumerate(sizes, 1):
        assert raw.command(b"LIST %d" % number) == b"+OK %d %d\r\n" % (number, size)
        assert raw.command(b"RETR %d" % number) == b"+OK %d octets\r\n" % size
        sent = raw.multiline()
        unstuffed = b"".join(line[1:] if line.startswith(b".") else line for line in sent.splitlines(keepends=True))
        # The octets of the message as RETR sends it, before dot-stuffing (RFC 1939 §11). LMTP
        # completes message 3's last line (SMTP data always ends with CRLF).
        assert len(unstuffed) == size, (number, size, sent[-40:])
        assert unstuffed.endswith(bodies[number - 1][-20:] + (b"\r\n" if number == 3 else b""))
        assert b"\r\n...two dots\r\n" in sent and b"\r\n..leading dot\r\n" in sent
    assert raw.command(b"TOP 2 1") == b"+OK\r\n"
    top = raw.multiline()
    assert top.endswith(b"Message-ID: <pop2@example.org>\r\n\r\nLine one of 2\r\n")
    assert raw.command(b"TOP 1 0") == b"+OK\r\n" and raw.multiline().endswith(b"\r\n\r\n")
    raw.close()


def test_uidl_and_dele_rset_quit(pop3_server):
    server = pop3_server()
    for number in range(1, 5):
        server.deliver(USER, message(number))
    client = server.pop3(USER)
    _, listing, _ = client.uidl()
    uidls = [line.split()[1] for line in listing]
    assert len(set(uidls)) == 4 and all(len(u) == 16 for u in uidls)  # %08Xu%08Xv by default
    assert client.uidl(2) == b"+OK 2 " + uidls[1]
    client.dele(1)
    client.dele(3)
    assert client.stat()[0] == 2
    for command in ("retr 1", "list 1", "uidl 3", "dele 3", "top 1 0"):
        with pytest.raises(poplib.error_proto, match="Message is deleted"):
            client._shortcmd(command)
    assert [line.split()[0] for line in client.list()[1]] == [b"2", b"4"]
    client.rset()
    assert client.stat()[0] == 4
    client.dele(2)
    client.close()  # no QUIT: no UPDATE state, nothing deleted (RFC 1939 §6)

    client = server.pop3(USER)
    assert client.stat()[0] == 4
    assert [line.split()[1] for line in client.uidl()[1]] == uidls  # same UIDLs in a new session
    client.dele(1)
    client.dele(4)
    assert client.quit() == b"+OK Logging out, messages deleted."

    client = server.pop3(USER)
    assert [line.split()[1] for line in client.uidl()[1]] == uidls[1:3]
    client.quit()
    imap = server.imap(USER)
    assert imap.select("INBOX") == ("OK", [b"2"])
    imap.logout()
    assert len(server.stored(USER)) == 2  # the objects are gone from the store, not just hidden
    log = server.log.read_text()
    assert "pop3(jane@example.com)" in log and "Disconnected: Logged out top=0/0, retr=0/0, del=2/4" in log


def test_error_paths_never_lose_data(pop3_server):
    server = pop3_server()
    server.deliver(USER, message(1))
    raw = RawPOP3(server, USER)
    for line in (b"RETR 0", b"RETR 2", b"LIST 99", b"DELE 4294967296", b"RETR", b"RETR x", b"TOP 1", b"TOP 1 -1",
                 b"LIST 1 2", b"STAT 1", b"XYZZY", b"LAST", b"", b"A" * 10000):
        reply = raw.command(line)
        assert reply.startswith(b"-ERR "), (line, reply)
    assert raw.command(b"RETR 2") == b"-ERR There's no message 2.\r\n"
    assert raw.command(b"NOOP") == b"+OK\r\n"
    assert raw.command(b"STAT").startswith(b"+OK 1 ")
    # Pipelined commands (RFC 2449 PIPELINING) are answered in order.
    raw.sock.sendall(b"NOOP\r\nSTAT\r\nUIDL 1\r\n")
    replies = [raw.reader.readline() for _ in range(3)]
    assert replies[0] == b"+OK\r\n" and replies[1].startswith(b"+OK 1 ") and replies[2].startswith(b"+OK 1 ")
    # Too many bad commands end the session, without deleting anything.
    assert raw.command(b"DELE 1").startswith(b"+OK")
    raw.sock.sendall(b"BOGUS\r\n" * 20)
    lines = raw.reader.read()
    assert lines.endswith(b"-ERR Too many bad commands.\r\n")
    raw.close()
    client = server.pop3(USER)
    assert client.stat()[0] == 1
    client.quit()


def test_snapshot_survives_imap_changes(pop3_server):
    server = pop3_server()
    for number in range(1, 4):
        server.deliver(USER, message(number))
    client = server.pop3(USER)
    count, octets = client.stat()
    # Meanwhile: an IMAP client expunges message 1 and new mail arrives.
    imap = server.imap(USER)
    imap.select("INBOX")
    imap.store("1", "+FLAGS", "\\Deleted")
    imap.expunge()
    server.deliver(USER, message(4))
    assert client.stat() == (count, octets)
    assert len(client.list()[1]) == 3
    with pytest.raises(poplib.error_proto, match="expunged"):
        client.retr(1)
    assert client.retr(2)[1][2] == b"Subject: message 2" or any(b"message 2" in line for line in client.retr(2)[1])
    client.dele(1)  # already expunged elsewhere: fine at QUIT
    client.dele(2)
    assert client.quit().startswith(b"+OK")
    imap.noop()
    status = imap.status("INBOX", "(MESSAGES)")
    assert b"MESSAGES 2" in status[1][0]  # messages 3 and 4 remain
    imap.logout()
    client = server.pop3(USER)
    assert client.stat()[0] == 2
    client.quit()


def seen(server, user=USER):
    imap = server.imap(user)
    imap.select("INBOX", readonly=True)
    _, data = imap.fetch("1:*", "(FLAGS)")
    imap.logout()
    return [b"\\Seen" in line for line in data]


def test_retr_sets_seen_but_top_does_not(pop3_server):
    server = pop3_server()
    for number in range(1, 4):
        server.deliver(USER, message(number))
    client = server.pop3(USER)
    client.retr(1)
    client.top(2, 0)
    client.quit()
    assert seen(server) == [True, False, False]


def test_pop3_no_flag_updates(pop3_server):
    server = pop3_server(extra="pop3_no_flag_updates = yes\n")
    server.deliver(USER, message(1))
    client = server.pop3(USER)
    client.retr(1)
    client.quit()
    assert seen(server) == [False]


def test_deleted_flag_keeps_the_mail_for_imap(pop3_server):
    server = pop3_server(extra="pop3_deleted_flag = \"$POP3Deleted\"\n")
    for number in range(1, 3):
        server.deliver(USER, message(number))
    client = server.pop3(USER)
    client.dele(1)
    client.quit()
    client = server.pop3(USER)
    assert client.stat()[0] == 1
    client.quit()
    imap = server.imap(USER)
    imap.select("INBOX")
    _, data = imap.fetch("1:*", "(FLAGS)")
    assert len(data) == 2 and b"$POP3Deleted" in data[0] and b"$POP3Deleted" not in data[1]
    imap.logout()


def test_lock_session_and_userip_limit(pop3_server):
    server = pop3_server(extra="pop3_lock_session = yes\nmail_max_userip_connections = 2\n")
    first = server.pop3(USER)
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\] Mailbox is locked"):
        server.pop3(USER)
    joe = [server.pop3("joe@example.com")]
    first.quit()
    second = server.pop3(USER)  # the lock went with the first session
    second.quit()
    # Two sessions of joe's from one IP at most; the locked one above counted and was given back.
    server2 = pop3_server(extra="mail_max_userip_connections = 2\n")
    sessions = [server2.pop3("ann@example.com") for _ in range(2)]
    with pytest.raises(poplib.error_proto, match="mail_max_userip_connections=2"):
        server2.pop3("ann@example.com")
    for session in sessions + joe:
        session.quit()


@pytest.mark.parametrize("uidl_format", ["%g", "%08Xu%08Xv"])
def test_uidls_stable_across_a_cold_metacache(pop3_server, objectmail_bin, uidl_format):
    server = pop3_server(extra=f"pop3_uidl_format = {uidl_format}\n")
    for number in range(1, 6):
        server.deliver(USER, message(number))
    client = server.pop3(USER)
    before = client.uidl()[1]
    client.quit()
    if uidl_format == "%g":
        assert all(len(line.split()[1]) == 32 for line in before)
    # Stop (a clean shutdown uploads the index bundles), drop the local index, keep the bucket.
    assert server.stop() == 0
    shutil.rmtree(server.root / "home")
    server.process = subprocess.Popen([objectmail_bin, "serve", "-c", str(server.config)], cwd=server.root,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for_port(server.pop3_port, server.process)
    client = server.pop3(USER)
    assert client.uidl()[1] == before
    client.quit()


def test_reuse_xuidl_and_header_md5(pop3_server):
    import hashlib
    server = pop3_server(extra="pop3_reuse_xuidl = yes\npop3_uidl_format = %m\n")
    server.deliver(USER, b"Subject: migrated\r\nX-UIDL: legacy-uidl-1\r\n\r\nbody\r\n")
    server.deliver(USER, message(2))
    client = server.pop3(USER)
    uidls = [line.split()[1] for line in client.uidl()[1]]
    assert uidls[0] == b"legacy-uidl-1"
    header = b"\r\n".join(client.top(2, 0)[1]) + b"\r\n"  # the header as stored (CRLF) and the blank line
    assert uidls[1] == hashlib.md5(header).hexdigest().encode()
    client.quit()


def test_fetchmail_downloads_and_deletes_500_messages(pop3_server, tmp_path):
    fetchmail = shutil.which("fetchmail")
    assert fetchmail, "fetchmail is not installed (scripts/lib/install-deps.sh installs it)"
    server = pop3_server()
    import smtplib
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as lmtp:
        lmtp.ehlo("client.test")
        for number in range(500):
            lmtp.sendmail("sender@example.org", [USER], message(number, b"%d\r\n" % number * 20))
    out = tmp_path / "out"
    out.mkdir()
    mda = tmp_path / "mda.sh"
    mda.write_text(f'#!/bin/sh\nexec cat > "{out}/$(date +%s%N)-$$"\n')
    mda.chmod(0o755)
    rc = tmp_path / "fetchmailrc"
    rc.write_text(textwrap.dedent(f"""\
        set no syslog
        poll 127.0.0.1 service {server.pop3_port} protocol pop3 uidl
            user "{USER}" there with password "secret" is "local" here
            no keep fetchall sslproto ''
            mda "{mda}"
        """))
    rc.chmod(0o600)
    result = subprocess.run([fetchmail, "-f", str(rc), "-i", str(tmp_path / "fetchids"),
                             "--pidfile", str(tmp_path / "pid")], capture_output=True, text=True, timeout=300,
                            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout + result.stderr
    files = sorted(out.iterdir())
    assert len(files) == 500
    subjects = {f.read_bytes().split(b"Subject: message ")[1].split(b"\r\n")[0].split(b"\n")[0] for f in files}
    assert subjects == {b"%d" % n for n in range(500)}
    client = server.pop3(USER)
    assert client.stat() == (0, 0)
    client.quit()
    assert server.stored(USER) == []
