"""IMAP message commands against a real server: APPEND/FETCH round trip, STORE, SEARCH, EXPUNGE, COPY, MOVE."""
import imaplib
import re

import pytest

MESSAGE = (b"From: Sender <sender@example.org>\r\nTo: jane@example.com\r\nSubject: round trip\r\n"
           b"Date: Tue, 3 Nov 2026 10:00:00 +0100\r\nMessage-ID: <rt@example.org>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n"
           b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nh\xc3\xa9llo\r\n"
           b"--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n"
           b"--b1--\r\n")


def fetch_one(client, spec, message="1"):
    typ, data = client.fetch(message, spec)
    assert typ == "OK", data
    return data


def test_append_fetch_round_trip_is_byte_exact(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    typ, data = client.append("INBOX", "(\\Flagged $Label1)", '"03-Nov-2026 10:00:00 +0100"', MESSAGE)
    assert typ == "OK"
    assert re.match(rb"\[APPENDUID \d+ 1\] ", data[0])
    typ, data = client.select("INBOX")
    assert (typ, data) == ("OK", [b"1"])
    assert client.untagged_responses.get("RECENT") == [b"1"]
    data = fetch_one(client, "(UID FLAGS RFC822.SIZE INTERNALDATE)")
    assert data == [b'1 (UID 1 FLAGS (\\Flagged $Label1 \\Recent) RFC822.SIZE %d '
                    b'INTERNALDATE "03-Nov-2026 09:00:00 +0000")' % len(MESSAGE)]
    data = fetch_one(client, "(BODY.PEEK[])")
    assert data[0][1] == MESSAGE
    data = fetch_one(client, "(RFC822.HEADER BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[]<0.4>)")
    literals = [item[1] for item in data if isinstance(item, tuple)]
    assert literals[0] == MESSAGE[:MESSAGE.index(b"\r\n\r\n") + 4]
    assert literals[1] == b"h\xc3\xa9llo"
    assert literals[2].startswith(b"Content-Type: application/octet-stream\r\n")
    assert literals[3] == b"From"
    data = fetch_one(client, "(ENVELOPE BODYSTRUCTURE)")
    assert b'ENVELOPE ("Tue, 3 Nov 2026 10:00:00 +0100" "round trip" (("Sender" NIL "sender" "example.org"))' in data[0]
    assert b'"mixed" ("boundary" "b1")' in data[0]
    # Peeking left \Seen alone; BODY[TEXT] sets it and reports the new flags.
    assert b"\\Seen" not in fetch_one(client, "FLAGS")[0]
    data = fetch_one(client, "(BODY[TEXT])")
    assert b"\\Seen" in b"".join(part if isinstance(part, bytes) else part[0] for part in data)
    client.logout()


def test_store_search_expunge(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    for number in range(1, 6):
        client.append("INBOX", None, None, b"Subject: message %d\r\n\r\nbody %d\r\n" % (number, number))
    client.select("INBOX")
    assert client.store("2,4", "+FLAGS", "(\\Deleted)")[1] == [b"2 (FLAGS (\\Deleted \\Recent))",
                                                              b"4 (FLAGS (\\Deleted \\Recent))"]
    assert client.store("1", "+FLAGS.SILENT", "(\\Seen)")[1] == [None]
    assert client.search(None, "DELETED") == ("OK", [b"2 4"])
    assert client.search(None, "UNSEEN NOT DELETED") == ("OK", [b"3 5"])
    assert client.search(None, 'SUBJECT "message 3"') == ("OK", [b"3"])
    assert client.search(None, "BODY", '"body 5"') == ("OK", [b"5"])
    assert client.search(None, "2:3") == ("OK", [b"2 3"])
    assert client.uid("SEARCH", "UID 4:*") == ("OK", [b"4 5"])
    assert client.search(None, "RECENT") == ("OK", [b"1 2 3 4 5"])
    typ, data = client.expunge()
    assert (typ, data) == ("OK", [b"4", b"2"])
    assert client.search(None, "ALL") == ("OK", [b"1 2 3"])
    assert client.uid("SEARCH", "ALL") == ("OK", [b"1 3 5"])
    # \Recent is the server's: a client may not set or clear it (BAD, as in Dovecot 2.3).
    with pytest.raises(imaplib.IMAP4.error, match="Invalid system flag"):
        client.uid("STORE", "5", "-FLAGS", "(\\Recent)")
    client.uid("STORE", "5", "+FLAGS", "(\\Deleted)")
    assert client.uid("EXPUNGE", "5")[0] == "OK"
    assert client.untagged_responses.pop("EXPUNGE") == [b"3"]
    typ, data = client.fetch("1:*", "(UID)")
    assert data == [b"1 (UID 1)", b"2 (UID 3)"]
    client.close()
    client.logout()


def test_copy_and_move_report_copyuid(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    client.create("Archive")
    for number in range(1, 4):
        client.append("INBOX", None, None, b"Subject: m%d\r\n\r\nx\r\n" % number)
    client.select("INBOX")
    typ, data = client.copy("1:2", "Archive")
    assert typ == "OK" and re.match(rb"\[COPYUID \d+ 1:2 1:2\] ", data[0])
    typ, data = client.copy("1", "Nowhere")
    assert typ == "NO" and b"[TRYCREATE]" in data[0]
    typ, data = client._simple_command("MOVE", "2:3", "Archive")
    assert typ == "OK"
    assert client.untagged_responses.pop("EXPUNGE") == [b"3", b"2"]
    assert re.match(rb"\[COPYUID \d+ 2:3 3:4\] ", client.untagged_responses.pop("OK")[-1])
    assert client.search(None, "ALL") == ("OK", [b"1"])
    client.select("Archive")
    data = client.fetch("1:*", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1]
    assert [item[1].strip() for item in data if isinstance(item, tuple)] == [b"Subject: m1", b"Subject: m2",
                                                                            b"Subject: m2", b"Subject: m3"]
    client.logout()


def test_esearch_return_options(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    for number in range(1, 6):
        client.append("INBOX", "(\\Seen)" if number % 2 else None, None, b"Subject: e%d\r\n\r\nx\r\n" % number)
    client.select("INBOX")
    typ, data = client._simple_command("SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "SEEN")
    assert typ == "OK"
    assert client.untagged_responses.pop("ESEARCH")[-1].endswith(b"MIN 1 MAX 5 COUNT 3 ALL 1,3,5")
    typ, data = client._simple_command("UID", "SEARCH", "RETURN", "()", "UNSEEN")
    assert typ == "OK"
    assert client.untagged_responses.pop("ESEARCH")[-1].endswith(b"UID ALL 2,4")
    client.logout()


def test_header_fields_are_served_as_written(imap_server):
    """Folder listings (HEADER.FIELDS, HEADER, RFC822.HEADER) take only the header's bytes: folding, repeated
    fields, field order and bare LF line ends must come back exactly as the full message would give them."""
    server = imap_server()
    client = server.imap("jane@example.com")
    message = (b"Received: by a\r\nSubject: a folded\r\n  subject line\r\nFROM: Ann <ann@example.com>\r\n"
               b"Received: by b\r\nX-Bare: lf only\nTo: bob@example.com\r\n\r\nbody line\r\n")
    client.append("INBOX", None, None, message)
    client.select("INBOX")
    header = message[:message.index(b"\r\n\r\n") + 4].replace(b"lf only\n", b"lf only\r\n")

    def fetched(items):
        typ, data = client.fetch("1", items)
        assert typ == "OK"
        return data[0][1]

    assert fetched("(BODY.PEEK[HEADER.FIELDS (subject received)])") == (
        b"Received: by a\r\nSubject: a folded\r\n  subject line\r\nReceived: by b\r\n\r\n")
    assert fetched("(BODY.PEEK[HEADER.FIELDS.NOT (Received X-Bare)])") == (
        b"Subject: a folded\r\n  subject line\r\nFROM: Ann <ann@example.com>\r\nTo: bob@example.com\r\n\r\n")
    assert fetched("(BODY.PEEK[HEADER])") == header
    assert fetched("(RFC822.HEADER)") == header
    assert fetched("(BODY.PEEK[HEADER]<5.10>)") == header[5:15]
    # With ENVELOPE the structure is read as well: the same header fields come back. The folded subject is
    # cleaned up for reading and so sent as a literal, as Dovecot sends it.
    typ, data = client.fetch("1", "(ENVELOPE BODY.PEEK[HEADER.FIELDS (FROM)])")
    assert typ == "OK" and data[0][1] == b"a folded subject line" and data[1][1] == b"FROM: Ann <ann@example.com>\r\n\r\n"
    typ, data = client.fetch("1", "(FLAGS)")
    assert b"\\Seen" not in data[0]
    client.logout()


def test_own_writes_report_what_other_sessions_changed_meanwhile(imap_server):
    """STORE, APPEND and UID EXPUNGE catch up in their own write: another session's changes made just before must
    still reach this session in the same answer, and in sequence-number order."""
    server = imap_server()
    a, b = server.imap("jane@example.com"), server.imap("jane@example.com")
    for number in range(1, 5):
        a.append("INBOX", None, None, b"Subject: c%d\r\n\r\nx\r\n" % number)
    a.select("INBOX")
    b.select("INBOX")
    a.untagged_responses.clear()  # SELECT's own EXISTS, RECENT …
    b.store("1", "+FLAGS", "(\\Flagged)")
    # imaplib hands a STORE's untagged FETCH responses back as its data.
    typ, data = a.uid("STORE", "2", "+FLAGS.SILENT", "(\\Seen)")
    assert typ == "OK" and data == [b"1 (UID 1 FLAGS (\\Flagged \\Recent))"]
    b.store("3", "+FLAGS", "(\\Deleted)")
    b.expunge()
    typ, data = a.append("INBOX", None, None, b"Subject: c5\r\n\r\nx\r\n")
    assert typ == "OK"
    assert a.untagged_responses.pop("EXPUNGE") == [b"3"] and a.untagged_responses.pop("EXISTS") == [b"4"]
    b.store("1", "-FLAGS", "(\\Flagged)")
    typ, data = a.uid("STORE", "4", "+FLAGS.SILENT", "(\\Deleted)")
    assert typ == "OK" and data == [b"1 (UID 1 FLAGS (\\Recent))"]
    typ, data = a.uid("EXPUNGE", "4")
    assert typ == "OK" and a.untagged_responses.pop("EXPUNGE") == [b"3"]
    typ, data = a.uid("SEARCH", None, "ALL")
    assert data == [b"1 2 5"]
    a.logout()
    b.logout()


def test_recent_goes_to_the_session_whose_write_first_saw_the_new_mail(imap_server):
    """A write catching up also takes the new \\Recent messages for its session (RFC 3501 §2.3.2): the
    session's own APPEND, and another session's APPEND seen by a STORE, are \\Recent there and nowhere else;
    a read-only session takes nothing."""
    server = imap_server()
    a, b, c = (server.imap("jane@example.com") for _ in range(3))
    a.append("INBOX", None, None, b"Subject: r1\r\n\r\nx\r\n")
    a.select("INBOX")
    assert a.untagged_responses.pop("RECENT") == [b"1"]
    c.select("INBOX", readonly=True)
    assert c.untagged_responses.pop("RECENT") == [b"0"]
    a.untagged_responses.clear()
    c.untagged_responses.clear()
    typ, _ = a.append("INBOX", None, None, b"Subject: r2\r\n\r\nx\r\n")
    assert typ == "OK" and a.untagged_responses.pop("EXISTS") == [b"2"] and a.untagged_responses.pop("RECENT") == [b"2"]
    assert fetch_one(a, "(FLAGS)", "2") == [b"2 (FLAGS (\\Recent))"]
    a.untagged_responses.clear()
    b.append("INBOX", None, None, b"Subject: r3\r\n\r\nx\r\n")
    # c, read-only, sees the new mail first but takes no \Recent; a's STORE then takes it.
    assert c.noop()[0] == "OK" and c.untagged_responses.pop("EXISTS") == [b"3"]
    typ, data = a.store("1", "+FLAGS", "(\\Seen)")
    assert typ == "OK" and a.untagged_responses.pop("EXISTS") == [b"3"] and a.untagged_responses.pop("RECENT") == [b"3"]
    assert fetch_one(a, "(FLAGS)", "3") == [b"3 (FLAGS (\\Recent))"]
    b.select("INBOX")
    assert b.untagged_responses.pop("RECENT") == [b"0"]
    status = b.status("INBOX", "(RECENT)")[1][0]
    assert status.endswith(b"(RECENT 0)"), status
    for client in (a, b, c):
        client.logout()
