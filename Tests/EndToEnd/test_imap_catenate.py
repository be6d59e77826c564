"""CATENATE (RFC 4469) with URL-PARTIAL (RFC 5550), and Dovecot 2.3's SNIPPET=FUZZY / PREVIEW=FUZZY draft forms."""
import re

from conftest import command, raw_imap, until_tagged

DRAFT = (b"From: jane@example.com\r\nTo: bob@example.com\r\nSubject: draft\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
         b"--b\r\nContent-Type: text/plain\r\n\r\nHello Bob, the report is attached.\r\n"
         b"--b\r\nContent-Type: text/csv\r\n\r\na,b,c\r\n1,2,3\r\n"
         b"--b--\r\n")


def appended_uid(lines):
    match = re.search(rb"\[APPENDUID \d+ (\d+)\]", lines[-1])
    assert match, lines
    return int(match.group(1))


def fetch_body(sock, reader, tag, uid):
    sock.sendall(tag + b" UID FETCH %d (BODY.PEEK[])\r\n" % uid)
    first = reader.readline()
    size = int(first[first.rindex(b"{") + 1:-3])
    body = reader.read(size)
    until_tagged(reader, tag)
    return body


def uidvalidity(sock, reader, mailbox):
    lines = command(sock, reader, b"v", b"STATUS %s (UIDVALIDITY)" % mailbox)
    return int(re.search(rb"UIDVALIDITY (\d+)", lines[0]).group(1))


def test_catenate_builds_a_draft_from_text_and_url_parts(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"c", b"CREATE Drafts")
    uid = appended_uid(command(sock, reader, b"a", b"APPEND Drafts {%d+}\r\n%s" % (len(DRAFT), DRAFT)))
    validity = uidvalidity(sock, reader, b"Drafts")
    # RFC 4469 §5's shape: a new header, then the original's second part, sent as an URL (not re-uploaded).
    header = b"From: jane@example.com\r\nTo: bob@example.com\r\nSubject: forwarded\r\nMIME-Version: 1.0\r\n" \
             b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--b\r\n"
    trailer = b"\r\n--b--\r\n"
    url = b"/Drafts;UIDVALIDITY=%d/;UID=%d/;section=2.MIME" % (validity, uid)
    text_url = b"/Drafts;UIDVALIDITY=%d/;UID=%d/;SECTION=2" % (validity, uid)
    sock.sendall(b"b APPEND Drafts (\\Draft) CATENATE (TEXT {%d}\r\n" % len(header))
    assert reader.readline().startswith(b"+ ")
    sock.sendall(header + b" URL \"%s\" URL \"%s\" TEXT {%d+}\r\n%s)\r\n" % (url, text_url, len(trailer), trailer))
    new_uid = appended_uid(until_tagged(reader, b"b"))
    expected = header + b"Content-Type: text/csv\r\n\r\n" + b"a,b,c\r\n1,2,3" + trailer
    command(sock, reader, b"s", b"SELECT Drafts")
    assert fetch_body(sock, reader, b"f", new_uid) == expected
    # The referenced message was read with PEEK semantics: still unseen.
    assert b"\\Seen" not in command(sock, reader, b"g", b"UID FETCH %d (FLAGS)" % uid)[0]
    flags = command(sock, reader, b"h", b"UID FETCH %d (FLAGS RFC822.SIZE)" % new_uid)[0]
    assert b"\\Draft" in flags and b"RFC822.SIZE %d" % len(expected) in flags
    # A mailbox-relative URL names the selected mailbox; URL-PARTIAL takes a byte range of what the URL names.
    uid3 = appended_uid(command(sock, reader, b"i",
                                b"APPEND Drafts CATENATE (URL \";UID=%d/;PARTIAL=0.22\" TEXT {4+}\r\n\r\nhi)" % uid))
    assert fetch_body(sock, reader, b"j", uid3) == DRAFT[:22] + b"\r\nhi"
    # No length: to the end; an offset past the end gives nothing (here: an empty message is refused).
    uid4 = appended_uid(command(sock, reader, b"k", b"APPEND Drafts CATENATE (URL \"/Drafts/;UID=%d/;PARTIAL=%d\")"
                                % (uid, len(DRAFT) - 10)))
    assert fetch_body(sock, reader, b"l", uid4) == DRAFT[-10:]
    assert command(sock, reader, b"m", b"APPEND Drafts CATENATE (URL \"/Drafts/;UID=%d/;PARTIAL=%d\")"
                   % (uid, len(DRAFT) + 5))[-1].startswith(b"m NO ")
    # Absolute URL naming this user works as well.
    uid5 = appended_uid(command(sock, reader, b"n", b"APPEND Drafts CATENATE (URL \"imap://jane%%40example.com@localhost/Drafts/;UID=%d/;SECTION=HEADER\")" % uid))
    assert fetch_body(sock, reader, b"p", uid5) == DRAFT[:DRAFT.index(b"\r\n\r\n") + 4]
    command(sock, reader, b"o", b"LOGOUT")


def test_bad_urls_are_refused_and_nothing_is_stored(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    uid = appended_uid(command(sock, reader, b"a", b"APPEND INBOX {%d+}\r\n%s" % (len(DRAFT), DRAFT)))
    validity = uidvalidity(sock, reader, b"INBOX")
    bad = {
        b"/INBOX/;UID=%d" % (uid + 50): b"Message not found",
        b"/Nowhere/;UID=1": b"Mailbox doesn't exist",
        b"/INBOX;UIDVALIDITY=%d/;UID=%d" % (validity + 1, uid): b"Invalid UIDVALIDITY",
        b"/INBOX/;UID=%d/;SECTION=9" % uid: b"Invalid section",
        b"imap://bob%%40example.com@localhost/INBOX/;UID=%d" % uid: b"URLAUTH is not supported",
        b"/INBOX/;UID=%d/;URLAUTH=anonymous:internal:abc" % uid: b"URLAUTH is not supported",
        b"/INBOX?SUBJECT%%20x": b"not supported",
        b";UID=%d" % uid: b"no mailbox selected",
        b"http://example.com/": b"Not an IMAP URL",
    }
    for number, (url, reason) in enumerate(bad.items()):
        tag = b"b%d" % number
        answer = command(sock, reader, tag, b"APPEND INBOX CATENATE (TEXT {3+}\r\nabc URL \"%s\")" % url)[-1]
        assert answer.startswith(tag + b" NO [BADURL " + url + b"] "), answer
        assert reason in answer, answer
    # A bad URL in the second message of a MULTIAPPEND stores neither.
    answer = command(sock, reader, b"c", b"APPEND INBOX {3+}\r\nabc CATENATE (URL \"/INBOX/;UID=999\")")[-1]
    assert answer.startswith(b"c NO [BADURL "), answer
    assert b"MESSAGES 1)" in command(sock, reader, b"d", b"STATUS INBOX (MESSAGES)")[0]
    # Syntax errors in CATENATE itself are BAD, and the connection stays in step.
    assert command(sock, reader, b"e", b"APPEND INBOX CATENATE ()")[-1].startswith(b"e BAD ")
    assert command(sock, reader, b"f", b"APPEND INBOX CATENATE (FOO \"x\")")[-1].startswith(b"f BAD ")
    assert command(sock, reader, b"g", b"NOOP")[-1].startswith(b"g OK")
    command(sock, reader, b"o", b"LOGOUT")


def test_fuzzy_preview_draft_forms(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"a", b"APPEND INBOX {%d+}\r\n%s" % (len(DRAFT), DRAFT))
    command(sock, reader, b"s", b"SELECT INBOX")
    text = b'"Hello Bob, the report is attached."'
    assert command(sock, reader, b"b", b"FETCH 1 (SNIPPET (FUZZY))")[0] == b"* 1 FETCH (SNIPPET (FUZZY %s))\r\n" % text
    assert command(sock, reader, b"c", b"FETCH 1 (SNIPPET)")[0] == b"* 1 FETCH (SNIPPET (FUZZY %s))\r\n" % text
    assert command(sock, reader, b"d", b"FETCH 1 (PREVIEW (FUZZY))")[0] == b"* 1 FETCH (PREVIEW (FUZZY %s))\r\n" % text
    assert command(sock, reader, b"e", b"FETCH 1 (PREVIEW (LAZY=FUZZY))")[0] == b"* 1 FETCH (PREVIEW (FUZZY %s))\r\n" % text
    assert command(sock, reader, b"f", b"FETCH 1 (PREVIEW)")[0] == b"* 1 FETCH (PREVIEW %s)\r\n" % text
    assert command(sock, reader, b"g", b"FETCH 1 (SNIPPET (SLOPPY))")[-1].startswith(b"g BAD ")
    command(sock, reader, b"o", b"LOGOUT")
