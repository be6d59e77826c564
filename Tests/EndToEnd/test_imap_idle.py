"""Two IMAP sessions of one user see each other's changes: IDLE wakes on APPEND, NOOP reports EXPUNGE and flags."""
from conftest import raw_imap, until_tagged


def test_idle_sees_append_expunge_and_flags_of_another_session(imap_server):
    server = imap_server()
    other = server.imap("jane@example.com")
    other.append("INBOX", None, None, b"Subject: first\r\n\r\nx\r\n")

    sock, reader = raw_imap(server, "jane@example.com")
    sock.sendall(b"s SELECT INBOX\r\n")
    assert b"* 1 EXISTS\r\n" in until_tagged(reader, b"s")
    sock.sendall(b"i IDLE\r\n")
    assert reader.readline() == b"+ idling\r\n"

    other.append("INBOX", None, None, b"Subject: second\r\n\r\ny\r\n")
    assert reader.readline() == b"* 2 EXISTS\r\n"
    assert reader.readline() == b"* 2 RECENT\r\n"  # both are \Recent in this session
    sock.sendall(b"DONE\r\n")
    assert until_tagged(reader, b"i")[-1].startswith(b"i OK")

    other.select("INBOX")
    other.store("1", "+FLAGS", "(\\Deleted \\Flagged)")
    sock.sendall(b"f FETCH 1:* (FLAGS)\r\n")
    lines = until_tagged(reader, b"f")
    # No EXPUNGE during FETCH, but the new flags are shown.
    assert not any(line.endswith(b" EXPUNGE\r\n") for line in lines)
    assert b"* 1 FETCH (FLAGS (\\Flagged \\Deleted \\Recent))\r\n" in lines
    other.expunge()
    sock.sendall(b"f2 FETCH 1:* (UID)\r\n")
    lines = until_tagged(reader, b"f2")
    assert not any(line.endswith(b" EXPUNGE\r\n") for line in lines)
    # Message 1 keeps its number until the EXPUNGE may be sent; its data is gone, so it is left out
    # and the tagged OK says so, as Dovecot's does.
    assert lines == [b"* 2 FETCH (UID 2)\r\n", b"f2 OK [EXPUNGEISSUED] Some messages were already expunged.\r\n"]
    # The same for a body fetch of only the expunged message: nothing, never garbage.
    sock.sendall(b"f2b FETCH 1 (BODY[] FLAGS)\r\n")
    assert until_tagged(reader, b"f2b") == [b"f2b OK [EXPUNGEISSUED] Some messages were already expunged.\r\n"]
    sock.sendall(b"n NOOP\r\n")
    lines = until_tagged(reader, b"n")
    assert lines == [b"* 1 EXPUNGE\r\n", b"n OK NOOP completed.\r\n"]
    sock.sendall(b"f3 FETCH 1:* (UID)\r\n")
    assert until_tagged(reader, b"f3")[0] == b"* 1 FETCH (UID 2)\r\n"
    sock.sendall(b"o LOGOUT\r\n")
    until_tagged(reader, b"o")
    other.logout()


def test_idle_reports_flags_and_expunges_of_another_session_at_once(imap_server):
    server = imap_server()
    other = server.imap("jane@example.com")
    for number in range(3):
        other.append("INBOX", None, None, b"Subject: m%d\r\n\r\nx\r\n" % number)
    sock, reader = raw_imap(server, "jane@example.com")
    sock.sendall(b"s EXAMINE INBOX\r\ni IDLE\r\n")
    until_tagged(reader, b"s")
    assert reader.readline() == b"+ idling\r\n"
    other.select("INBOX")
    other.store("2", "+FLAGS", "(\\Flagged)")
    assert reader.readline() == b"* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\n"
    other.store("1", "+FLAGS", "(\\Deleted)")
    assert reader.readline() == b"* 1 FETCH (UID 1 FLAGS (\\Deleted \\Recent))\r\n"
    other.expunge()
    # In IDLE an EXPUNGE may go out at once; the numbers shift for what follows.
    assert reader.readline() == b"* 1 EXPUNGE\r\n"
    # UID 2 is now number 1 for both sessions.
    other.store("1", "+FLAGS", "(\\Seen)")
    assert reader.readline() == b"* 1 FETCH (UID 2 FLAGS (\\Flagged \\Seen \\Recent))\r\n"
    sock.sendall(b"DONE\r\n")
    until_tagged(reader, b"i")
    sock.close()
    other.logout()
