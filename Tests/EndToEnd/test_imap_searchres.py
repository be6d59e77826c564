"""ESEARCH (RFC 4731), SEARCHRES (RFC 5182: SAVE and `$`), WITHIN (RFC 5032)."""
from conftest import command, raw_imap


def session(imap_server, count=6):
    server = imap_server()
    client = server.imap("jane@example.com")
    for number in range(count):
        client.append("INBOX", "(\\Flagged)" if number % 2 else None, None, b"Subject: m%d\r\n\r\nx\r\n" % number)
    client.logout()
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"s", b"SELECT INBOX")
    return sock, reader


def test_esearch_return_options(imap_server):
    sock, reader = session(imap_server)
    assert command(sock, reader, b"a", b"SEARCH RETURN (MIN MAX COUNT) FLAGGED")[0] == b'* ESEARCH (TAG "a") MIN 2 MAX 6 COUNT 3\r\n'
    assert command(sock, reader, b"b", b"UID SEARCH RETURN () ALL")[0] == b'* ESEARCH (TAG "b") UID ALL 1:6\r\n'
    assert command(sock, reader, b"c", b"SEARCH RETURN (COUNT) KEYWORD nothing")[0] == b'* ESEARCH (TAG "c") COUNT 0\r\n'
    assert command(sock, reader, b"d", b"SEARCH RETURN (ALL) KEYWORD nothing")[0] == b'* ESEARCH (TAG "d")\r\n'
    # CONTEXT=SEARCH: CONTEXT is a hint (RFC 5267 §4.2), so this is RETURN () = ALL.
    assert command(sock, reader, b"e", b"SEARCH RETURN (CONTEXT) ALL")[0] == b'* ESEARCH (TAG "e") ALL 1:6\r\n'
    command(sock, reader, b"o", b"LOGOUT")


def test_searchres_save_and_dollar(imap_server):
    sock, reader = session(imap_server)
    # SAVE alone answers nothing but the tagged OK.
    assert command(sock, reader, b"a", b"SEARCH RETURN (SAVE) FLAGGED") == [b"a OK Search completed.\r\n"]
    assert command(sock, reader, b"b", b"FETCH $ (UID)") == [
        b"* 2 FETCH (UID 2)\r\n", b"* 4 FETCH (UID 4)\r\n", b"* 6 FETCH (UID 6)\r\n", b"b OK Fetch completed.\r\n"]
    # `$` in a UID command and inside a search key.
    assert command(sock, reader, b"c", b"UID SEARCH UID $ NOT UID 4")[0] == b"* SEARCH 2 6\r\n"
    command(sock, reader, b"d", b"UID STORE $ +FLAGS.SILENT (\\Deleted)")
    assert command(sock, reader, b"e", b"SEARCH DELETED")[0] == b"* SEARCH 2 4 6\r\n"
    # Expunged messages drop out of `$`; sequence numbers follow.
    command(sock, reader, b"f", b"UID EXPUNGE 2")
    assert command(sock, reader, b"g", b"FETCH $ (UID)")[:2] == [b"* 3 FETCH (UID 4)\r\n", b"* 5 FETCH (UID 6)\r\n"]
    # SAVE with MIN and MAX only keeps those two (RFC 5182 §2.4).
    lines = command(sock, reader, b"h", b"SEARCH RETURN (SAVE MIN MAX) ALL")
    assert lines[0] == b'* ESEARCH (TAG "h") MIN 1 MAX 5\r\n'
    assert command(sock, reader, b"i", b"UID SEARCH $")[0] == b"* SEARCH 1 6\r\n"
    # A failed SAVE search empties `$`.
    assert command(sock, reader, b"j", b"SEARCH RETURN (SAVE) CHARSET X-UNKNOWN ALL")[-1].startswith(b"j NO [BADCHARSET")
    assert command(sock, reader, b"k", b"SEARCH $")[0] == b"* SEARCH\r\n"
    # SORT can save too.
    command(sock, reader, b"l", b"SORT RETURN (SAVE) (REVERSE ARRIVAL) UTF-8 UNFLAGGED")
    assert command(sock, reader, b"m", b"UID SEARCH $")[0] == b"* SEARCH 1 3 5\r\n"
    command(sock, reader, b"o", b"LOGOUT")


def test_within(imap_server):
    sock, reader = session(imap_server, count=2)
    assert command(sock, reader, b"a", b"SEARCH YOUNGER 3600")[0] == b"* SEARCH 1 2\r\n"
    assert command(sock, reader, b"b", b"SEARCH OLDER 3600")[0] == b"* SEARCH\r\n"
    command(sock, reader, b"o", b"LOGOUT")
