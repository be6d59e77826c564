"""CONDSTORE (RFC 7162): MODSEQ in FETCH, CHANGEDSINCE, UNCHANGEDSINCE, SEARCH MODSEQ, ENABLE."""
import re

from conftest import raw_imap, until_tagged


def test_condstore_fetch_store_search(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    for number in range(3):
        client.append("INBOX", None, None, b"Subject: c%d\r\n\r\nx\r\n" % number)
    client.logout()

    sock, reader = raw_imap(server, "jane@example.com")
    sock.sendall(b"e ENABLE CONDSTORE\r\n")
    assert until_tagged(reader, b"e")[0] == b"* ENABLED CONDSTORE\r\n"
    sock.sendall(b"s SELECT INBOX\r\n")
    lines = until_tagged(reader, b"s")
    highest = int(re.search(rb"\[HIGHESTMODSEQ (\d+)\]", b"".join(lines)).group(1))
    sock.sendall(b"st STORE 2 +FLAGS (\\Flagged)\r\n")
    lines = until_tagged(reader, b"st")
    match = re.match(rb"\* 2 FETCH \(FLAGS \(\\Flagged \\Recent\) MODSEQ \((\d+)\)\)\r\n", lines[0])
    assert match and int(match.group(1)) > highest
    changed = int(match.group(1))
    sock.sendall(b"f FETCH 1:* (FLAGS) (CHANGEDSINCE %d)\r\n" % highest)
    lines = until_tagged(reader, b"f")
    assert lines == [b"* 2 FETCH (FLAGS (\\Flagged \\Recent) MODSEQ (%d))\r\n" % changed, b"f OK Fetch completed.\r\n"]
    sock.sendall(b"u STORE 2 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)\r\n" % highest)
    assert until_tagged(reader, b"u")[-1] == b"u OK [MODIFIED 2] Conditional store failed.\r\n"
    sock.sendall(b"q SEARCH MODSEQ %d\r\n" % (highest + 1))
    assert until_tagged(reader, b"q")[0] == b"* SEARCH 2 (MODSEQ %d)\r\n" % changed
    sock.sendall(b"o LOGOUT\r\n")
    until_tagged(reader, b"o")
