"""`namespace { mailbox NAME { autoexpunge = TIME  autoexpunge_max_mails = N } }` (issue 28, seed 001's Junk 90d):
when a session of the user ends, messages saved into NAME longer ago than TIME, and the oldest beyond N, are
expunged, as Dovecot 2.3 does: through the normal expunge path, so other sessions see EXPUNGE, objects are deleted
and quota follows."""
import textwrap
import time

from conftest import command, raw_imap

PLUGINS = "mail_plugins = $mail_plugins quota imap_quota notify mail_log\n"
QUOTA = "  quota = count:User quota\n  quota_rule = *:storage=1M\n  mail_log_events = expunge\n  mail_log_fields = box uid msgid\n"


def namespace(settings: str) -> str:
    return textwrap.dedent("""\
        namespace inbox {
          inbox = yes
          mailbox Junk {
            special_use = \\Junk
            auto = subscribe
        #SETTINGS
          }
        }
        """).replace("#SETTINGS", textwrap.indent(settings, "    "))


def message(number: int) -> bytes:
    return b"Message-ID: <%d@example.com>\r\nSubject: junk %d\r\n\r\n%s\r\n" % (number, number, b"x" * 3000)


def append(sock, reader, tag: bytes, body: bytes) -> bytes:
    return command(sock, reader, tag, b"APPEND Junk {%d+}\r\n%s" % (len(body), body))[-1]


def quota(sock, reader) -> int:
    """STORAGE used, in KiB."""
    line = command(sock, reader, b"q", b"GETQUOTAROOT Junk")[1]
    return int(line.split(b"(STORAGE ")[1].split(b" ")[0])


def test_old_junk_is_expunged_when_a_session_ends(imap_server):
    server = imap_server(extra=PLUGINS + namespace("autoexpunge = 3s\n"), plugin=QUOTA)
    sock, reader = raw_imap(server, "jane@example.com")
    for number in (1, 2):
        assert append(sock, reader, b"a%d" % number, message(number)).startswith(b"a%d OK" % number)
    time.sleep(3.5)
    assert append(sock, reader, b"a3", message(3)).startswith(b"a3 OK")
    # Another session watches Junk: it must hear of the expunges like of any other.
    watcher, watching = raw_imap(server, "jane@example.com")
    assert b"* 3 EXISTS\r\n" in b"".join(command(watcher, watching, b"s", b"SELECT Junk"))
    used = quota(watcher, watching)
    assert len(server.stored("jane@example.com")) == 3
    command(sock, reader, b"o", b"LOGOUT")
    sock.close()
    deadline = time.monotonic() + 10
    answer = b""
    while b"EXPUNGE" not in answer and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = b"".join(command(watcher, watching, b"n", b"NOOP"))
    answer += b"".join(command(watcher, watching, b"n", b"NOOP"))
    # Messages 1 and 2 go (as "* 2 EXPUNGE, * 1 EXPUNGE" or "* 1 EXPUNGE" twice: both are RFC 3501's numbering).
    assert answer.count(b" EXPUNGE\r\n") == 2 and b"* 3 EXPUNGE" not in answer, answer
    fetched = b"".join(command(watcher, watching, b"f", b"FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    assert b"* 1 FETCH (UID 3 " in fetched and b"junk 3" in fetched and b"* 2 FETCH" not in fetched, fetched
    assert used >= 8 and quota(watcher, watching) <= 3, (used, quota(watcher, watching))
    assert len(server.stored("jane@example.com")) == 1
    log = server.log.read_text()
    assert "Info: autoexpunge: box=Junk, uid=1, msgid=<1@example.com>" in log, log
    assert "Info: autoexpunge: box=Junk, uid=2, msgid=<2@example.com>" in log, log
    command(watcher, watching, b"o", b"LOGOUT")


def test_autoexpunge_max_mails_keeps_the_newest(pop3_server):
    server = pop3_server(extra=PLUGINS + namespace("autoexpunge_max_mails = 2\n"), plugin=QUOTA)
    sock, reader = raw_imap(server, "jane@example.com")
    for number in (1, 2, 3, 4, 5):
        assert append(sock, reader, b"a%d" % number, message(number)).startswith(b"a%d OK" % number)
    command(sock, reader, b"o", b"LOGOUT")
    # Any session's end runs it: here a POP3 session's.
    pop3 = server.pop3("jane@example.com")
    pop3.quit()
    deadline = time.monotonic() + 10
    while len(server.stored("jane@example.com")) > 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    sock, reader = raw_imap(server, "jane@example.com")
    status = b"".join(command(sock, reader, b"t", b"STATUS Junk (MESSAGES UIDNEXT)"))
    assert b"(MESSAGES 2 UIDNEXT 6)" in status, status
    fetched = b"".join(command(sock, reader, b"e", b"EXAMINE Junk") + command(sock, reader, b"f", b"UID FETCH 1:* (UID)"))
    assert b"(UID 4)" in fetched and b"(UID 5)" in fetched, fetched
    command(sock, reader, b"o", b"LOGOUT")


def test_recent_junk_and_other_mailboxes_stay(imap_server):
    server = imap_server(extra=PLUGINS + namespace("autoexpunge = 1h\n"), plugin=QUOTA)
    sock, reader = raw_imap(server, "jane@example.com")
    assert append(sock, reader, b"a1", message(1)).startswith(b"a1 OK")
    command(sock, reader, b"o", b"LOGOUT")
    time.sleep(1)
    sock, reader = raw_imap(server, "jane@example.com")
    assert b"(MESSAGES 1)" in b"".join(command(sock, reader, b"t", b"STATUS Junk (MESSAGES)"))
    command(sock, reader, b"o", b"LOGOUT")
