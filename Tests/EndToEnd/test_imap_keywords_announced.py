"""RFC 3501 §7.2.6 / RFC 9051 §7.3.5: a keyword is announced with FLAGS (and PERMANENTFLAGS) before any
response of the session uses it — whoever added it: this session's STORE or APPEND, another session, a delivery."""
import re

from conftest import command, raw_imap

USER = "jane@example.com"
MESSAGE = b"From: a@example.org\r\nSubject: k\r\n\r\nbody\r\n"


class KeywordTracker:
    """Follows one session's announced keywords and fails on a FETCH FLAGS that names one not announced."""

    def __init__(self):
        self.known: set[str] = set()

    def check(self, lines: list[bytes]) -> list[bytes]:
        for line in lines:
            flags = re.match(rb"\* FLAGS \((.*)\)\r\n$", line)
            if flags:
                self.known = {name.lower() for name in flags.group(1).decode().split()}
                continue
            fetched = re.search(rb"\* \d+ FETCH \(.*FLAGS \(([^)]*)\)", line)
            if fetched:
                for name in fetched.group(1).decode().split():
                    if not name.startswith("\\"):
                        assert name.lower() in self.known, f"keyword {name} used before FLAGS announced it: {lines!r}"
        return lines


def append(sock, reader, tag: bytes, flags: bytes, mailbox: bytes = b"INBOX") -> list[bytes]:
    sock.sendall(tag + b" APPEND " + mailbox + b" (" + flags + b") {%d}\r\n" % len(MESSAGE))
    assert reader.readline().startswith(b"+")
    sock.sendall(MESSAGE + b"\r\n")
    lines = []
    while True:
        line = reader.readline()
        assert line
        lines.append(line)
        if line.startswith(tag + b" "):
            assert line.startswith(tag + b" OK"), lines
            return lines


def test_own_store_announces_a_new_keyword_first(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    tracker = KeywordTracker()
    append(sock, reader, b"a1", b"\\Seen")
    tracker.check(command(sock, reader, b"s", b"SELECT INBOX"))
    lines = tracker.check(command(sock, reader, b"t", b"STORE 1 +FLAGS ($hello NIL)"))
    assert lines[0].startswith(b"* FLAGS (") and b"$hello" in lines[0] and b"NIL" in lines[0], lines
    assert lines[1].startswith(b"* OK [PERMANENTFLAGS (") and b"$hello" in lines[1] and b"\\*)]" in lines[1], lines
    assert re.match(rb"\* 1 FETCH \(FLAGS \(.*\$hello.*\)\)", lines[2]), lines
    # Known now: no second FLAGS for the same keywords, whatever their case.
    lines = tracker.check(command(sock, reader, b"u", b"STORE 1 FLAGS ($HELLO)"))
    assert not any(line.startswith(b"* FLAGS") for line in lines), lines


def test_keywords_from_other_sessions_and_appends_are_announced(imap_server):
    server = imap_server()
    first, first_reader = raw_imap(server, USER)
    second, second_reader = raw_imap(server, USER)
    tracker = KeywordTracker()
    append(first, first_reader, b"a1", b"$Label1")
    tracker.check(command(first, first_reader, b"s", b"SELECT INBOX"))
    assert "$label1" in tracker.known
    command(second, second_reader, b"s", b"SELECT INBOX")
    # Another session adds a keyword: this session's NOOP shows the change, after announcing it.
    command(second, second_reader, b"t", b"STORE 1 +FLAGS ($Label2)")
    lines = tracker.check(command(first, first_reader, b"n", b"NOOP"))
    assert any(b"$Label2" in line and b"FETCH" in line for line in lines), lines
    # This session's own APPEND of a message with a new keyword into the selected mailbox.
    tracker.check(append(first, first_reader, b"a2", b"$Label3 \\Flagged"))
    lines = tracker.check(command(first, first_reader, b"f", b"FETCH 1:* (FLAGS)"))
    assert any(b"$Label3" in line for line in lines), lines
    # Another session's APPEND with a new keyword, seen through a FETCH by this session.
    append(second, second_reader, b"a3", b"$Label4")
    lines = tracker.check(command(first, first_reader, b"f2", b"FETCH 1:* (UID FLAGS)"))
    assert any(b"$Label4" in line for line in lines), lines
    # An EXAMINE session is told the keywords with an empty PERMANENTFLAGS.
    third, third_reader = raw_imap(server, USER)
    examine = KeywordTracker()
    examine.check(command(third, third_reader, b"e", b"EXAMINE INBOX"))
    command(second, second_reader, b"t2", b"STORE 1 +FLAGS ($Label5)")
    lines = examine.check(command(third, third_reader, b"n", b"NOOP"))
    assert b"* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n" in lines, lines
    assert any(b"$Label5" in line and b"FETCH" in line for line in lines), lines


def test_idle_announces_keywords_before_the_fetch(imap_server):
    server = imap_server()
    first, first_reader = raw_imap(server, USER)
    second, second_reader = raw_imap(server, USER)
    append(first, first_reader, b"a1", b"")
    tracker = KeywordTracker()
    tracker.check(command(first, first_reader, b"s", b"SELECT INBOX"))
    command(second, second_reader, b"s", b"SELECT INBOX")
    first.sendall(b"i IDLE\r\n")
    assert first_reader.readline().startswith(b"+ ")
    command(second, second_reader, b"t", b"STORE 1 +FLAGS ($Idle1)")
    lines = []
    while not any(b"FETCH" in line for line in lines):
        line = first_reader.readline()
        assert line
        lines.append(line)
    tracker.check(lines)
    first.sendall(b"DONE\r\n")
    tracker.check(command(first, first_reader, b"n", b"NOOP"))
