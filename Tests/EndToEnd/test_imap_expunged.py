"""Commands on messages another session expunged while this one still shows them (RFC 2180 §4,
Dovecot's answers): no garbage, no shifted sequence numbers, EXPUNGE only where allowed."""
from conftest import raw_imap, until_tagged

USER = "jane@example.com"


def test_commands_on_messages_expunged_by_another_session(imap_server):
    server = imap_server()
    other = server.imap(USER)
    other.create("Dest")
    for number in range(3):
        other.append("INBOX", None, None, b"Subject: m%d\r\n\r\nx\r\n" % number)
    sock, reader = raw_imap(server, USER)
    sock.sendall(b"s SELECT INBOX\r\n")
    until_tagged(reader, b"s")
    other.select("INBOX")
    other.store("1", "+FLAGS", "(\\Deleted)")
    other.expunge()

    def run(command: bytes) -> list[bytes]:
        sock.sendall(command + b"\r\n")
        return until_tagged(reader, command.split()[0])

    # STORE changes what still exists and reports nothing for the expunged message.
    assert run(b"a STORE 1 +FLAGS (\\Seen)") == [b"a OK Store completed.\r\n"]
    assert run(b"a2 STORE 1:2 +FLAGS (\\Answered)") == [b"* 2 FETCH (FLAGS (\\Answered \\Recent))\r\n",
                                                         b"a2 OK Store completed.\r\n"]
    # COPY and MOVE copy nothing and say why.
    notice = b"NO [EXPUNGEISSUED] Some of the requested messages no longer exist.\r\n"
    assert run(b"b COPY 1 Dest") == [b"b " + notice]
    assert run(b"c COPY 1:2 Dest") == [b"c " + notice]
    assert run(b"d MOVE 1:3 Dest") == [b"d " + notice]
    # SEARCH and FETCH keep the numbering: message 2 is still number 2.
    assert run(b"e SEARCH ALL") == [b"* SEARCH 2 3\r\n", b"e OK Search completed.\r\n"]
    assert run(b"f FETCH 1:2 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])") == [
        b"* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {15}\r\n", b"Subject: m1\r\n", b"\r\n", b")\r\n",
        b"f OK [EXPUNGEISSUED] Some messages were already expunged.\r\n"]
    # A UID command may report the EXPUNGE (RFC 3501 §7.4.1), and does before its NO.
    assert run(b"g UID COPY 1:2 Dest") == [b"* 1 EXPUNGE\r\n", b"g " + notice]
    # Now the view is current again: copying works, and nothing reached Dest before.
    assert run(b"h UID COPY 1:3 Dest")[-1].startswith(b"h OK [COPYUID ")
    other.select("Dest")
    assert other.search(None, "ALL")[1] == [b"1 2"]
    sock.close()
    other.logout()
