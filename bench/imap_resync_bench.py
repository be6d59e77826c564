"""IMAP resync, SORT and THREAD benchmark against the real objectmail binary (see docs/imap-extensions.md).

Fills INBOX with MESSAGES messages (reply chains, varied senders and dates) over IMAP, changes the flags of
10 messages from a second session, then measures on the wire:
  - QRESYNC resync: SELECT (QRESYNC (uidvalidity modseq)) + UID FETCH 1:* (FLAGS) (CHANGEDSINCE modseq VANISHED)
  - the same client without QRESYNC: SELECT + FETCH 1:* (UID FLAGS)
  - SORT (DATE), SORT (SUBJECT), SORT (DISPLAYFROM), THREAD REFERENCES, THREAD ORDEREDSUBJECT (median of 5 after
    a first run, which is printed too: only the session's first SORT/THREAD decodes the sort keys)
GETs: the message objects are moved out of the store before SORT/THREAD, so any GET would fail the command;
a FETCH BODY[] afterwards shows that a GET is indeed noticed.

usage: python3 bench/imap_resync_bench.py OBJECTMAIL_BIN [MESSAGES]
"""
import pathlib
import re
import shutil
import socket
import statistics
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "EndToEnd"))
from conftest import IMAP_PASSWORD, USERS, LMTPServer, free_port, wait_for_port  # noqa: E402

USER = USERS[0]


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        self.reader = self.sock.makefile("rb")
        self.reader.readline()
        self.received = 0

    def command(self, text: bytes, tag=b"t"):
        """Sends a command; returns its response lines and the bytes received for them."""
        self.sock.sendall(tag + b" " + text + b"\r\n")
        lines, size = [], 0
        while True:
            line = self.reader.readline()
            assert line, "connection closed"
            size += len(line)
            literal = re.search(rb"\{(\d+)\}\r\n$", line)
            if literal:
                data = self.reader.read(int(literal.group(1)))
                size += len(data)
                line += data
            lines.append(line)
            if line.startswith(tag + b" "):
                assert line.startswith(tag + b" OK"), line
                return lines, size


def message(n: int) -> bytes:
    thread, position = divmod(n, 5)
    subject = b"Topic %d" % thread if position == 0 else b"Re: Topic %d" % thread
    references = b"".join(b"<m%d.%d@bench>" % (thread, p) for p in range(position))
    headers = (b"From: User %d <user%d@example.com>\r\nTo: bench@example.com\r\nSubject: %s\r\n"
               b"Date: %s\r\nMessage-ID: <m%d.%d@bench>\r\n") % (
        n % 97, n % 97, subject,
        time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(1_700_000_000 + (n * 7919) % 1_000_000)).encode(),
        thread, position)
    if references:
        headers += b"References: %s\r\nIn-Reply-To: <m%d.%d@bench>\r\n" % (references, thread, position - 1)
    return headers + b"\r\n" + b"Message body %d\r\n" % n


def timed(function):
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    root = pathlib.Path(tempfile.mkdtemp(prefix="imap-resync-bench-"))
    port = free_port()
    # The end-to-end tests' server configuration (posix store), with IMAP on.
    server = LMTPServer(binary, root, extra=textwrap.dedent(f"""\
        protocols = lmtp imap
        service imap-login {{
          inet_listener imap {{
            address = 127.0.0.1
            port = {port}
          }}
        }}
        """))
    try:
        wait_for_port(port, server.process)
        run(port, count, root)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def run(port, count, root):
    client = Connection(port)
    client.command(b"LOGIN %s %s" % (USER.encode(), IMAP_PASSWORD.encode()))
    start = time.perf_counter()
    for first in range(0, count, 500):
        parts = [b"APPEND INBOX"]
        for n in range(first, min(first + 500, count)):
            raw = message(n)
            parts.append(b" {%d+}\r\n%s" % (len(raw), raw))
        client.command(b"".join(parts))
    print(f"imap-resync-bench: {count} messages appended in {time.perf_counter() - start:.1f} s")

    client.command(b"ENABLE QRESYNC")
    lines, _ = client.command(b"SELECT INBOX")
    joined = b"".join(lines)
    validity = int(re.search(rb"UIDVALIDITY (\d+)", joined).group(1))
    highest = int(re.search(rb"HIGHESTMODSEQ (\d+)", joined).group(1))
    client.command(b"LOGOUT", b"o")

    other = Connection(port)
    other.command(b"LOGIN %s %s" % (USER.encode(), IMAP_PASSWORD.encode()))
    other.command(b"SELECT INBOX")
    for uid in range(1, count + 1, max(1, count // 10))[:10]:
        other.command(b"UID STORE %d +FLAGS.SILENT (\\Flagged)" % uid)

    def qresync():
        c = Connection(port)
        c.command(b"LOGIN %s %s" % (USER.encode(), IMAP_PASSWORD.encode()))
        c.command(b"ENABLE QRESYNC")
        lines, select_bytes = c.command(b"SELECT INBOX (QRESYNC (%d %d))" % (validity, highest))
        fetch_lines, fetch_bytes = c.command(b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % highest)
        c.command(b"LOGOUT", b"o")
        return select_bytes + fetch_bytes, len([line for line in fetch_lines if b" FETCH " in line])

    def full():
        c = Connection(port)
        c.command(b"LOGIN %s %s" % (USER.encode(), IMAP_PASSWORD.encode()))
        _, select_bytes = c.command(b"SELECT INBOX")
        fetch_lines, fetch_bytes = c.command(b"FETCH 1:* (UID FLAGS)")
        c.command(b"LOGOUT", b"o")
        return select_bytes + fetch_bytes, len([line for line in fetch_lines if b" FETCH " in line])

    for name, function in (("resync QRESYNC", qresync), ("resync full FETCH FLAGS", full)):
        runs = [timed(function) for _ in range(5)]
        (size, fetched) = runs[0][1]
        print(f"{name:28} {statistics.median(r[0] for r in runs):8.1f} ms  {size:9d} bytes  {fetched} FETCH responses"
              " (login+select+fetch, median of 5)")

    # Move the message objects away: from here on any GET fails its command.
    hidden = root / "hidden"
    hidden.mkdir()
    moved = 0
    for path in list(root.glob("objects/**/mailboxes/*/*")):
        if path.is_file():
            path.rename(hidden / f"{moved}")
            moved += 1
    assert moved >= count, f"only {moved} message objects found"
    for name, text in (("SORT (DATE)", b"SORT (DATE) UTF-8 ALL"), ("SORT (SUBJECT)", b"SORT (SUBJECT) UTF-8 ALL"),
                       ("SORT (DISPLAYFROM)", b"SORT (DISPLAYFROM) UTF-8 ALL"),
                       ("THREAD REFERENCES", b"THREAD REFERENCES UTF-8 ALL"),
                       ("THREAD ORDEREDSUBJECT", b"THREAD ORDEREDSUBJECT UTF-8 ALL")):
        runs = [timed(lambda: other.command(text))[0] for _ in range(6)]
        # The first SORT/THREAD of a session decodes the sort keys from the index rows; later ones reuse them.
        print(f"{name:28} {statistics.median(runs[1:]):8.1f} ms  (first {runs[0]:.1f} ms)  0 GETs (message objects unreachable)"
              " (median of 5 after the first)")
    other.sock.sendall(b"g FETCH 1 (BODY[])\r\n")
    answer = other.reader.readline()
    while not answer.startswith(b"g "):
        answer = other.reader.readline()
    print(f"check: FETCH BODY[] without the objects answers {answer.decode().strip()!r} (a GET is noticed)")
    other.command(b"LOGOUT", b"o")


if __name__ == "__main__":
    main()
