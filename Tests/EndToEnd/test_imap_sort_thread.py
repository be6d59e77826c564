"""SORT, SORT=DISPLAY, ESORT (RFC 5256/5957/5267), THREAD ORDEREDSUBJECT/REFERENCES/REFS, I18NLEVEL=1 charsets."""
import imaplib
import re
import time

from conftest import command, raw_imap


def message(subject, sender, date, message_id, references=b"", body=b"text"):
    headers = b"From: %s\r\nTo: list@example.com\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n" % (
        sender, subject, date, message_id)
    if references:
        headers += b"In-Reply-To: <%s>\r\nReferences: %s\r\n" % (
            references.split()[-1].strip(b"<>"), references)
    return headers + b"\r\n" + body + b"\r\n"


# A mailing-list discussion as it arrives: replies interleaved with an unrelated thread.
MESSAGES = [
    message(b"Release plan", b"Carol <carol@example.com>", b"Mon, 2 Mar 2026 10:00:00 +0000", b"a@x"),
    message(b"Lunch?", b"\"Bob Zed\" <bob@example.com>", b"Mon, 2 Mar 2026 09:00:00 +0000", b"l@x"),
    message(b"Re: Release plan", b"alice@example.com", b"Mon, 2 Mar 2026 11:00:00 +0000", b"b@x", b"<a@x>"),
    message(b"RE: Release plan", b"\"Aaron Dave\" <dave@example.com>", b"Mon, 2 Mar 2026 12:00:00 +0000", b"c@x", b"<a@x> <b@x>"),
    message(b"Re: Lunch?", b"Carol <carol@example.com>", b"Mon, 2 Mar 2026 09:30:00 +0000", b"m@x", b"<l@x>"),
    message(b"Fwd: Release plan", b"Erin <erin@example.com>", b"Mon, 2 Mar 2026 13:00:00 +0000", b"d@x", b"<a@x>"),
]


def session(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    # Arrival times a minute apart, so ARRIVAL has no ties.
    for position, raw in enumerate(MESSAGES):
        arrival = imaplib.Time2Internaldate(time.time() - (len(MESSAGES) - position) * 60)
        client.append("INBOX", None, arrival, raw)
    client.logout()
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"s", b"SELECT INBOX")
    return sock, reader


def test_sort_criteria_and_esort(imap_server):
    sock, reader = session(imap_server)
    assert command(sock, reader, b"a", b"SORT (DATE) UTF-8 ALL")[0] == b"* SORT 2 5 1 3 4 6\r\n"
    assert command(sock, reader, b"b", b"SORT (REVERSE ARRIVAL) US-ASCII ALL")[0] == b"* SORT 6 5 4 3 2 1\r\n"
    # Base subjects: "lunch?" < "release plan"; ties by sequence number.
    assert command(sock, reader, b"c", b"SORT (SUBJECT) UTF-8 ALL")[0] == b"* SORT 2 5 1 3 4 6\r\n"
    # FROM compares the address's mailbox (alice, bob, carol, carol, dave, erin).
    assert command(sock, reader, b"d", b"SORT (FROM) UTF-8 ALL")[0] == b"* SORT 3 2 1 5 4 6\r\n"
    # DISPLAYFROM: the display name (Aaron Dave first; alice@… has none); the two Carols by REVERSE DATE.
    assert command(sock, reader, b"e", b"SORT (DISPLAYFROM REVERSE DATE) UTF-8 ALL")[0] == b"* SORT 4 3 2 1 5 6\r\n"
    assert command(sock, reader, b"f", b"UID SORT (SUBJECT DATE) UTF-8 SUBJECT release")[0] == b"* SORT 1 3 4 6\r\n"
    lines = command(sock, reader, b"g", b"SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL")
    assert lines[0] == b'* ESEARCH (TAG "g") MIN 2 MAX 6 COUNT 6 ALL 2,5,1,3:4,6\r\n'
    lines = command(sock, reader, b"h", b"SORT (DATE) ISO-8859-1 ALL")
    assert lines == [b"h NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset.\r\n"]
    command(sock, reader, b"o", b"LOGOUT")


def test_thread_on_a_reply_chain(imap_server):
    sock, reader = session(imap_server)
    # REFERENCES: the release thread 1 → 3 → 4 with 6 answering 1; the lunch thread 2 → 5, ordered by date.
    assert command(sock, reader, b"a", b"THREAD REFERENCES UTF-8 ALL")[0] == b"* THREAD (2 5)(1 (3 4)(6))\r\n"
    assert command(sock, reader, b"b", b"UID THREAD REFS UTF-8 ALL")[0].startswith(b"* THREAD ")
    refs = command(sock, reader, b"b2", b"THREAD REFS UTF-8 ALL")[0]
    assert sorted(re.findall(rb"\d+", refs)) == sorted(b"%d" % n for n in range(1, 7))
    # ORDEREDSUBJECT: by base subject, the first of each subject the parent, the rest its sibling children.
    assert command(sock, reader, b"c", b"THREAD ORDEREDSUBJECT UTF-8 ALL")[0] == b"* THREAD (2 5)(1 (3)(4)(6))\r\n"
    # A search key narrows the threaded set: 5 loses its parent and becomes a root (older than 1).
    assert command(sock, reader, b"d", b"THREAD REFERENCES UTF-8 FROM carol")[0] == b"* THREAD (5)(1)\r\n"
    assert command(sock, reader, b"e", b"THREAD REFERENCES KOI8-R ALL")[-1].startswith(b"e NO [BADCHARSET")
    command(sock, reader, b"o", b"LOGOUT")
