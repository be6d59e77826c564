"""IMAP4rev2 (RFC 9051) switched on by ENABLE, and UTF8=ACCEPT (RFC 6855)."""
import re

from conftest import command, raw_imap


def test_imap4rev2_response_differences(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    for number in range(3):
        client.append("INBOX", "(\\Seen)" if number == 0 else None, None, b"Subject: r%d\r\n\r\nx\r\n" % number)
    client.logout()
    sock, reader = raw_imap(server, "jane@example.com")
    assert command(sock, reader, b"e", b"ENABLE IMAP4rev2")[0] == b"* ENABLED IMAP4rev2\r\n"
    lines = command(sock, reader, b"s", b"SELECT INBOX")
    assert not [line for line in lines if line.endswith(b" RECENT\r\n") or b"[UNSEEN " in line]
    assert b'* LIST (\\HasNoChildren) "/" INBOX\r\n' in lines
    assert b"* 3 EXISTS\r\n" in lines
    # SEARCH answers in ESEARCH form, as if RETURN (ALL) had been given.
    assert command(sock, reader, b"a", b"SEARCH UNSEEN")[0] == b'* ESEARCH (TAG "a") ALL 2:3\r\n'
    assert command(sock, reader, b"b", b"UID SEARCH KEYWORD none") == [b'* ESEARCH (TAG "b") UID\r\n', b"b OK Search completed.\r\n"]
    assert command(sock, reader, b"c", b"SEARCH RETURN (COUNT) ALL")[0] == b'* ESEARCH (TAG "c") COUNT 3\r\n'
    # No \Recent, ever.
    assert command(sock, reader, b"f", b"FETCH 2 (FLAGS)")[0] == b"* 2 FETCH (FLAGS ())\r\n"
    other = server.imap("jane@example.com")
    other.append("INBOX", None, None, b"Subject: new\r\n\r\nx\r\n")
    other.logout()
    assert command(sock, reader, b"n", b"NOOP") == [b"* 4 EXISTS\r\n", b"n OK NOOP completed.\r\n"]
    # Mailbox names and quoted strings are UTF-8, not modified UTF-7.
    assert command(sock, reader, b"m", b'CREATE "Caf\xc3\xa9"')[-1].startswith(b"m OK")
    assert command(sock, reader, b"l", b'LIST "" "Caf*"')[0] == b'* LIST (\\HasNoChildren) "/" "Caf\xc3\xa9"\r\n'
    command(sock, reader, b"o", b"LOGOUT")


def test_utf8_accept_alone(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    # Before ENABLE: modified UTF-7 both ways.
    assert command(sock, reader, b"c", b"CREATE Caf&AOk-")[-1].startswith(b"c OK")
    assert command(sock, reader, b"e", b"ENABLE UTF8=ACCEPT")[0] == b"* ENABLED UTF8=ACCEPT\r\n"
    assert command(sock, reader, b"l", b'LIST "" "Caf*"')[0] == b'* LIST (\\HasNoChildren) "/" "Caf\xc3\xa9"\r\n'
    assert command(sock, reader, b"s", b'SELECT "Caf\xc3\xa9"')[-1].startswith(b"s OK")
    # UTF8=ACCEPT alone keeps IMAP4rev1 responses.
    lines = command(sock, reader, b"s2", b"SELECT INBOX")
    assert [line for line in lines if line.endswith(b" RECENT\r\n")]
    assert command(sock, reader, b"a", b"SEARCH ALL")[0] == b"* SEARCH\r\n"
    command(sock, reader, b"o", b"LOGOUT")
