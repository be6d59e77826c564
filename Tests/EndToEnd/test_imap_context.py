"""CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267) over raw sockets: a SEARCH/SORT RETURN (UPDATE) result is kept up
to date by unsolicited ESEARCH ADDTO/REMOVEFROM as another session (and this one) changes the mailbox."""
from conftest import command, raw_imap, until_tagged

USER = "jane@example.com"


def mail(subject: str) -> bytes:
    return b"From: a@example.org\r\nTo: jane@example.com\r\nSubject: %s\r\n\r\nbody\r\n" % subject.encode()


def read_until(reader, wanted: bytes) -> list[bytes]:
    lines = []
    while True:
        line = reader.readline()
        assert line, f"connection closed before {wanted!r}: {lines}"
        lines.append(line)
        if wanted in line:
            return lines


def filled(server, subjects):
    other = server.imap(USER)
    for subject in subjects:
        other.append("INBOX", None, None, mail(subject))
    other.select("INBOX")
    return other


def test_search_update_follows_append_store_expunge_of_another_session(imap_server):
    server = imap_server()
    other = filled(server, ["a", "b", "c"])
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    lines = command(sock, reader, b"t1", b"SEARCH RETURN (UPDATE) UNSEEN")
    assert lines == [b'* ESEARCH (TAG "t1") ALL 1:3\r\n', b"t1 OK Search completed.\r\n"], lines
    sock.sendall(b"i IDLE\r\n")
    assert reader.readline() == b"+ idling\r\n"

    other.append("INBOX", None, None, mail("d"))
    lines = read_until(reader, b"ESEARCH")
    # ADDTO after the EXISTS that makes its sequence number valid (§4.3.3).
    assert lines.index(b"* 4 EXISTS\r\n") < len(lines) - 1, lines
    assert lines[-1] == b'* ESEARCH (TAG "t1") ADDTO (0 4)\r\n', lines

    other.store("2", "+FLAGS", "\\Seen")
    assert read_until(reader, b"ESEARCH")[-1] == b'* ESEARCH (TAG "t1") REMOVEFROM (0 2)\r\n'

    other.store("3", "+FLAGS", "\\Deleted")
    other.expunge()
    lines = read_until(reader, b"EXPUNGE")
    # REMOVEFROM before the EXPUNGE, while 3 still names the message (§4.3.4).
    assert lines[-2:] == [b'* ESEARCH (TAG "t1") REMOVEFROM (0 3)\r\n', b"* 3 EXPUNGE\r\n"], lines
    sock.sendall(b"DONE\r\n")
    assert until_tagged(reader, b"i") == [b"i OK Idle completed.\r\n"]

    # The session's own STORE changes the result too.
    lines = command(sock, reader, b"st", b"STORE 1 +FLAGS.SILENT (\\Seen)")
    assert lines == [b'* ESEARCH (TAG "t1") REMOVEFROM (0 1)\r\n', b"st OK Store completed.\r\n"], lines

    assert command(sock, reader, b"c", b'CANCELUPDATE "t1"') == [b"c OK CANCELUPDATE completed.\r\n"]
    other.append("INBOX", None, None, mail("e"))
    lines = command(sock, reader, b"n", b"NOOP")
    assert b"* 4 EXISTS\r\n" in lines and not any(b"ESEARCH" in line for line in lines), lines
    assert command(sock, reader, b"c2", b'CANCELUPDATE "t1"')[-1].startswith(b"c2 NO ")
    other.logout()


def test_uid_search_update_with_count_and_tag_reuse(imap_server):
    server = imap_server()
    other = filled(server, ["a", "b"])
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    # §4.3's example form: only COUNT now, every change later (UPDATE does not interact with COUNT).
    lines = command(sock, reader, b"B01", b"UID SEARCH RETURN (UPDATE COUNT) SUBJECT x")
    assert lines == [b'* ESEARCH (TAG "B01") UID COUNT 0\r\n', b"B01 OK Search completed.\r\n"], lines
    assert command(sock, reader, b"B01", b"UID SEARCH RETURN (UPDATE) ALL")[-1].startswith(b"B01 BAD ")
    other.append("INBOX", None, None, mail("x marks"))
    other.append("INBOX", None, None, mail("another x"))
    lines = command(sock, reader, b"n", b"NOOP")
    assert b'* ESEARCH (TAG "B01") UID ADDTO (0 3:4)\r\n' in lines, lines
    # UNSELECT ends every context (§4.3).
    command(sock, reader, b"u", b"UNSELECT")
    command(sock, reader, b"s2", b"SELECT INBOX")
    assert command(sock, reader, b"c", b'CANCELUPDATE "B01"')[-1].startswith(b"c NO ")
    other.logout()


def test_partial_results(imap_server):
    server = imap_server()
    filled(server, ["a", "b", "c", "d", "e"]).logout()
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    assert command(sock, reader, b"p1", b"UID SEARCH RETURN (PARTIAL 4:2) ALL")[0] \
        == b'* ESEARCH (TAG "p1") UID PARTIAL (2:4 2:4)\r\n'
    assert command(sock, reader, b"p2", b"SEARCH RETURN (PARTIAL 4:10 COUNT) ALL")[0] \
        == b'* ESEARCH (TAG "p2") COUNT 5 PARTIAL (4:10 4:5)\r\n'
    assert command(sock, reader, b"p3", b"SEARCH RETURN (PARTIAL 10:20) ALL")[0] \
        == b'* ESEARCH (TAG "p3") PARTIAL (10:20 NIL)\r\n'
    # In sort order for SORT.
    assert command(sock, reader, b"p4", b"SORT RETURN (PARTIAL 1:2) (REVERSE SUBJECT) UTF-8 ALL")[0] \
        == b'* ESEARCH (TAG "p4") PARTIAL (1:2 5,4)\r\n'
    assert command(sock, reader, b"p5", b"SEARCH RETURN (PARTIAL 1:2 ALL) ALL")[-1].startswith(b"p5 BAD ")
    assert command(sock, reader, b"p6", b"SEARCH RETURN (CONTEXT COUNT) ALL")[0] == b'* ESEARCH (TAG "p6") COUNT 5\r\n'


def test_sort_update_inserts_at_sort_positions(imap_server):
    server = imap_server()
    other = filled(server, ["b", "d", "f"])
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    lines = command(sock, reader, b"o1", b"UID SORT RETURN (UPDATE) (SUBJECT) UTF-8 ALL")
    assert lines[0] == b'* ESEARCH (TAG "o1") UID ALL 1:3\r\n', lines
    other.append("INBOX", None, None, mail("a"))
    other.append("INBOX", None, None, mail("e"))
    lines = command(sock, reader, b"n", b"NOOP")
    # a sorts first (position 1), e between d and f (position 4 once a is in).
    assert b'* ESEARCH (TAG "o1") UID ADDTO (1 4) ADDTO (4 5)\r\n' in lines, lines
    other.store("2", "+FLAGS", "\\Deleted")
    other.expunge()
    lines = command(sock, reader, b"n2", b"NOOP")
    # d (UID 2) was at position 3: a b d e f.
    assert lines[:2] == [b'* ESEARCH (TAG "o1") UID REMOVEFROM (3 2)\r\n', b"* 2 EXPUNGE\r\n"], lines
    other.logout()


def test_context_limit_and_modseq_with_addto(imap_server):
    server = imap_server()
    other = filled(server, ["a"])
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    lines = command(sock, reader, b"m", b"UID SEARCH RETURN (UPDATE) MODSEQ 1")
    # The first CONDSTORE-enabling command reports HIGHESTMODSEQ first (RFC 7162 §3.1).
    assert lines[0].startswith(b"* OK [HIGHESTMODSEQ "), lines
    assert lines[1].startswith(b'* ESEARCH (TAG "m") UID ALL 1 MODSEQ '), lines
    for number in range(2, 11):
        assert command(sock, reader, b"u%d" % number, b"SEARCH RETURN (UPDATE COUNT) ALL")[-1].endswith(b"OK Search completed.\r\n")
    # The eleventh is answered, but not kept (RFC 5267 §4.3.1).
    lines = command(sock, reader, b"u11", b"SEARCH RETURN (UPDATE COUNT) ALL")
    assert lines == [b'* NO [NOUPDATE "u11"] Too many contexts\r\n', b'* ESEARCH (TAG "u11") COUNT 1\r\n',
                     b"u11 OK Search completed, will not notify.\r\n"], lines
    other.append("INBOX", None, None, mail("b"))
    lines = command(sock, reader, b"n", b"NOOP")
    addto = [line for line in lines if line.startswith(b'* ESEARCH (TAG "m")')]
    # A search by MODSEQ reports the highest MODSEQ of what it adds (RFC 7162 §3.1.5).
    assert len(addto) == 1 and b" MODSEQ " in addto[0] and addto[0].endswith(b" ADDTO (0 2)\r\n"), lines
    assert sum(line.endswith(b" ADDTO (0 2)\r\n") for line in lines) == 10, lines
    other.logout()


def test_update_with_fetch_attributes(imap_server):
    server = imap_server()
    other = filled(server, ["boss: plan"])
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    # RFC 5465 §7's example form.
    lines = command(sock, reader, b"a4", b"SEARCH RETURN (COUNT UPDATE (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])) SUBJECT boss")
    assert lines[0] == b'* ESEARCH (TAG "a4") COUNT 1\r\n', lines
    other.append("INBOX", None, None, mail("boss: more"))
    other.append("INBOX", None, None, mail("unrelated"))
    sock.sendall(b"n NOOP\r\n")
    lines = until_tagged(reader, b"n")
    text = b"".join(lines)
    # EXISTS, then the FETCH of the added message, then the ESEARCH (RFC 5465 §7); nothing fetched for the other.
    exists, fetched, addto = text.index(b"* 3 EXISTS"), text.index(b"* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)]"), \
        text.index(b'* ESEARCH (TAG "a4") ADDTO (0 2)')
    assert exists < fetched < addto, text
    assert b"Subject: boss: more\r\n" in text and b"* 3 FETCH" not in text, text
    other.logout()
