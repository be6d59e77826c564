"""The post-login CAPABILITY list is exactly what the session implements: every advertised capability has a
probe below that exercises it, and nothing is advertised without one."""
from conftest import raw_imap, until_tagged

# One command (or ENABLE) per capability, with what its answer must contain.
PROBES = {
    "IMAP4rev1": (b"NOOP", b"OK"),
    "IMAP4rev2": (None, None),  # changes the session: test_imap_rev2.py
    "UTF8=ACCEPT": (None, None),  # likewise
    "SASL-IR": (None, None),  # pre-login: tested by the login tests
    "LITERAL+": (b"LIST \"\" {5+}\r\nINBOX", b"* LIST ("),
    "ID": (b"ID NIL", b"* ID ("),
    "ENABLE": (b"ENABLE X-NOTHING", b"* ENABLED"),
    "IDLE": (None, None),  # tested in test_imap_idle.py
    "NAMESPACE": (b"NAMESPACE", b"* NAMESPACE"),
    "UIDPLUS": (b"UID EXPUNGE 1000", b"OK"),
    "MOVE": (b"UID MOVE 1000 INBOX", b"OK"),
    "UNSELECT": (None, None),  # the probe session ends with it
    "CHILDREN": (b"LIST \"\" INBOX", b"HasNoChildren"),
    "SPECIAL-USE": (b"LIST (SPECIAL-USE) \"\" *", b"OK"),
    "CREATE-SPECIAL-USE": (b"CREATE Stuff (USE (\\Archive))", b"OK"),
    "LIST-EXTENDED": (b"LIST (SUBSCRIBED) \"\" (INBOX Stuff) RETURN (CHILDREN)", b"OK"),
    "LIST-STATUS": (b"LIST \"\" INBOX RETURN (STATUS (MESSAGES))", b"* STATUS INBOX (MESSAGES "),
    "CONDSTORE": (b"FETCH 1 (MODSEQ)", b"MODSEQ ("),
    "QRESYNC": (b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)", b"OK"),
    "ESEARCH": (b"SEARCH RETURN (COUNT) ALL", b"* ESEARCH"),
    "ESORT": (b"SORT RETURN (COUNT) (DATE) UTF-8 ALL", b"* ESEARCH"),
    "SEARCHRES": (b"SEARCH RETURN (SAVE) ALL\r\nx2 FETCH $ (UID)", b"* 1 FETCH (UID 1)"),
    "WITHIN": (b"SEARCH YOUNGER 60", b"* SEARCH 1"),
    "SORT": (b"SORT (SUBJECT) UTF-8 ALL", b"* SORT 1"),
    "SORT=DISPLAY": (b"SORT (DISPLAYFROM) UTF-8 ALL", b"* SORT 1"),
    "THREAD=ORDEREDSUBJECT": (b"THREAD ORDEREDSUBJECT UTF-8 ALL", b"* THREAD (1)"),
    "THREAD=REFERENCES": (b"THREAD REFERENCES UTF-8 ALL", b"* THREAD (1)"),
    "THREAD=REFS": (b"THREAD REFS UTF-8 ALL", b"* THREAD (1)"),
    "I18NLEVEL=1": (b"SEARCH CHARSET UTF-8 SUBJECT {5+}\r\nCAF\xc3\x89", b"* SEARCH 1"),
    "MULTIAPPEND": (b"APPEND INBOX {3+}\r\na\r\n {3+}\r\nb\r\n", b"APPENDUID"),
    "STATUS=SIZE": (b"STATUS INBOX (SIZE)", b"SIZE "),
    "SAVEDATE": (b"FETCH 1 (SAVEDATE)", b"SAVEDATE \""),
    "BINARY": (b"FETCH 1 (BINARY.SIZE[1])", b"BINARY.SIZE[1] 3"),
    "PREVIEW": (b"FETCH 1 (PREVIEW)", b'PREVIEW "x"'),
    "COMPRESS=DEFLATE": (None, None),  # changes the connection: test_imap_compress.py
    "CONTEXT=SEARCH": (b"SEARCH RETURN (UPDATE COUNT) ALL\r\nx2 CANCELUPDATE \"x\"", b"x2 OK CANCELUPDATE"),
    "CONTEXT=SORT": (b"UID SORT RETURN (PARTIAL 1:1) (DATE) UTF-8 ALL", b"PARTIAL (1:1 "),
    "CATENATE": (b"APPEND INBOX CATENATE (URL \"/INBOX/;UID=1\" TEXT {3+}\r\nabc)", b"APPENDUID"),
    "URL-PARTIAL": (b"APPEND INBOX CATENATE (URL \"/INBOX/;UID=1/;PARTIAL=0.10\")", b"APPENDUID"),
    "SNIPPET=FUZZY": (b"FETCH 1 (SNIPPET (FUZZY))", b'SNIPPET (FUZZY "x")'),
    "PREVIEW=FUZZY": (b"FETCH 1 (PREVIEW (FUZZY))", b'PREVIEW (FUZZY "x")'),
    # Last: NOTIFY changes which updates the session gets (test_imap_notify.py).
    "NOTIFY": (b"NOTIFY SET STATUS (PERSONAL (MessageNew MessageExpunge))", b"* STATUS Stuff (MESSAGES 0 "),
}


def test_advertised_capabilities_are_exactly_the_implemented_ones(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    client.append("INBOX", None, None, b"Subject: caf\xc3\xa9\r\nFrom: a@example.com\r\n\r\nx\r\n")
    client.logout()
    sock, reader = raw_imap(server, "jane@example.com")
    sock.sendall(b"c CAPABILITY\r\n")
    lines = until_tagged(reader, b"c")
    advertised = lines[0].decode().split()[2:]
    assert lines[0].startswith(b"* CAPABILITY ")
    assert sorted(advertised) == sorted(PROBES), "advertised capabilities differ from the probed ones"
    sock.sendall(b"e ENABLE QRESYNC\r\n")
    until_tagged(reader, b"e")
    sock.sendall(b"s SELECT INBOX\r\n")
    until_tagged(reader, b"s")
    for name, (probe, expected) in PROBES.items():
        if probe is None:
            continue
        sock.sendall(b"x " + probe + b"\r\n")
        answer = b"".join(until_tagged(reader, b"x"))
        if b"\r\nx2 " in probe:
            answer += b"".join(until_tagged(reader, b"x2"))
        assert expected in answer and b"x OK" in answer, (name, answer)
    sock.sendall(b"u UNSELECT\r\n")
    assert until_tagged(reader, b"u")[-1] == b"u OK Unselect completed.\r\n"
