"""Protocol corners of single IMAP commands where ObjectMail answered differently from Dovecot 2.3 (issue 26,
items 5-10): each session below was run against a private Dovecot 2.3 and the expected answers are Dovecot's
(modulo tags, UIDVALIDITY and the hierarchy separator)."""
import datetime
import re
import time

from conftest import command, raw_imap, until_tagged

USER = "jane@example.com"


def append(sock, reader, tag: bytes, mailbox: bytes, message: bytes, binary: bool = False) -> list[bytes]:
    """APPEND with a LITERAL+ literal (`~{n+}` when `binary`, RFC 3516)."""
    prefix = b"~" if binary else b""
    sock.sendall(tag + b" APPEND " + mailbox + b" " + prefix + b"{%d+}\r\n" % len(message) + message + b"\r\n")
    lines = until_tagged(reader, tag)
    assert lines[-1].startswith(tag + b" OK"), lines
    return lines


def modseq_of(lines: list[bytes]) -> dict[int, int]:
    found = {}
    for line in lines:
        match = re.match(rb"\* (\d+) FETCH \(.*MODSEQ \((\d+)\)", line)
        if match:
            found[int(match.group(1))] = int(match.group(2))
    return found


def test_condstore_first_enabling_command_reports_highestmodseq_and_esearch_modseq_of_returned(imap_server):
    """Item 5. RFC 7162 §3.1: the first CONDSTORE-enabling command (here FETCH … MODSEQ) with a mailbox selected is
    answered with an untagged OK [HIGHESTMODSEQ n] first; later ones are not. RFC 7162 §3.1.5 / RFC 4731: ESEARCH
    RETURN (MIN) / (MAX) with a MODSEQ criterion reports the MODSEQ of the message(s) returned, not the mailbox's
    highest; ALL and COUNT report the highest of all matches."""
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    assert command(sock, reader, b"c", b"CREATE cs")[-1].startswith(b"c OK")
    for subject in (b"a", b"b", b"c"):
        append(sock, reader, b"p", b"cs", b"Subject: " + subject + b"\r\n\r\nbody\r\n")
    assert command(sock, reader, b"s", b"SELECT cs")[-1].startswith(b"s OK")
    # Distinct MODSEQs: message 3 changed first, then 2, then 1 (the highest).
    for number in (3, 2, 1):
        assert command(sock, reader, b"f", b"STORE %d +FLAGS.SILENT (\\Seen)" % number)[-1].startswith(b"f OK")
    first = command(sock, reader, b"m1", b"FETCH 1:* MODSEQ")
    assert re.match(rb"\* OK \[HIGHESTMODSEQ \d+\]", first[0]), first
    modseqs = modseq_of(first)
    highest = int(re.search(rb"HIGHESTMODSEQ (\d+)", first[0]).group(1))
    assert highest == max(modseqs.values()) == modseqs[1] and modseqs[3] < modseqs[2] < modseqs[1], first
    again = command(sock, reader, b"m2", b"FETCH 1 MODSEQ")
    assert not any(b"HIGHESTMODSEQ" in line for line in again), again

    def esearch(request: bytes) -> bytes:
        lines = command(sock, reader, b"e", request)
        assert lines[-1].startswith(b"e OK"), lines
        return [line for line in lines if line.startswith(b"* ESEARCH")][0]

    assert esearch(b"SEARCH RETURN (MIN) MODSEQ 1") == b'* ESEARCH (TAG "e") MIN 1 MODSEQ %d\r\n' % modseqs[1]
    assert esearch(b"SEARCH RETURN (MAX) MODSEQ 1") == b'* ESEARCH (TAG "e") MAX 3 MODSEQ %d\r\n' % modseqs[3]
    assert esearch(b"SEARCH RETURN (MAX) MODSEQ 1 2:3") == b'* ESEARCH (TAG "e") MAX 3 MODSEQ %d\r\n' % modseqs[3]
    assert esearch(b"SEARCH RETURN (MIN MAX) MODSEQ 1 2:3") == b'* ESEARCH (TAG "e") MIN 2 MAX 3 MODSEQ %d\r\n' % modseqs[2]
    assert esearch(b"UID SEARCH RETURN (MIN) MODSEQ 1 2:3") == b'* ESEARCH (TAG "e") UID MIN 2 MODSEQ %d\r\n' % modseqs[2]
    assert esearch(b"SEARCH RETURN (COUNT) MODSEQ 1 2:3") == b'* ESEARCH (TAG "e") COUNT 2 MODSEQ %d\r\n' % modseqs[2]
    assert esearch(b"SEARCH RETURN (ALL) MODSEQ 1") == b'* ESEARCH (TAG "e") ALL 1:3 MODSEQ %d\r\n' % highest
    assert esearch(b"SORT RETURN (MIN) (REVERSE SUBJECT) UTF-8 MODSEQ 1") == b'* ESEARCH (TAG "e") MIN 3 MODSEQ %d\r\n' % modseqs[3]
    # ENABLE CONDSTORE with a mailbox selected on a fresh connection reports it as well.
    sock2, reader2 = raw_imap(server, USER)
    assert command(sock2, reader2, b"s", b"EXAMINE cs")[-1].startswith(b"s OK")
    enabled = command(sock2, reader2, b"n", b"ENABLE CONDSTORE")
    assert enabled == [b"* OK [HIGHESTMODSEQ %d] Highest\r\n" % highest, b"* ENABLED CONDSTORE\r\n", b"n OK Enabled.\r\n"]
    # So does STATUS (HIGHESTMODSEQ), RFC 7162 §3.1's other CONDSTORE-enabling command.
    sock3, reader3 = raw_imap(server, USER)
    assert command(sock3, reader3, b"s", b"EXAMINE cs")[-1].startswith(b"s OK")
    lines = command(sock3, reader3, b"t", b"STATUS INBOX (MESSAGES HIGHESTMODSEQ)")
    assert lines[0] == b"* OK [HIGHESTMODSEQ %d] Highest\r\n" % highest and lines[1].startswith(b"* STATUS INBOX (MESSAGES "), lines
    assert command(sock3, reader3, b"u", b"STATUS INBOX (HIGHESTMODSEQ)")[0].startswith(b"* STATUS INBOX"), "only the first"
    sock3.close()
    sock2.close()
    sock.close()


def test_list_extended_unknown_options_are_bad(imap_server):
    """Item 6. RFC 5258 §3: an unrecognized selection or return option is BAD (as in Dovecot); known ones still work."""
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    for request in (b'LIST (foo) "" ""', b'LIST "" "" RETURN (foo)', b'LIST (SUBSCRIBED foo) "" *',
                    b'LIST "" % RETURN (CHILDREN foo)'):
        lines = command(sock, reader, b"l", request)
        assert len(lines) == 1 and lines[0].startswith(b"l BAD "), (request, lines)
    for request in (b'LIST (REMOTE) "" INBOX', b'LIST () "" INBOX', b'LIST "" INBOX RETURN ()'):
        lines = command(sock, reader, b"l", request)
        assert lines[-1] == b"l OK List completed.\r\n" and lines[0].startswith(b"* LIST ") and lines[0].endswith(b" INBOX\r\n"), lines
    sock.close()


def test_notify_single_message_events_for_other_mailboxes(imap_server):
    """Item 7. RFC 5465 §5 pairs MessageNew with MessageExpunge (and wants both for FlagChange) for the selected
    mailbox; for other mailboxes Dovecot takes any of them alone and answers the STATUS. The next NOTIFY works, and
    the connection stays open."""
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    assert command(sock, reader, b"c", b"CREATE x")[-1].startswith(b"c OK")
    lines = command(sock, reader, b"n1", b"NOTIFY SET STATUS (MAILBOXES x (MessageExpunge))")
    assert re.fullmatch(rb"\* STATUS x \(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0\)\r\n", lines[0]), lines
    assert lines[-1] == b"n1 OK NOTIFY completed.\r\n"
    # Where flag changes are asked for, the initial STATUS also tells HIGHESTMODSEQ (as Dovecot does).
    lines = command(sock, reader, b"n0", b"NOTIFY SET STATUS (MAILBOXES x (MessageNew MessageExpunge FlagChange))")
    assert re.fullmatch(rb"\* STATUS x \(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0 HIGHESTMODSEQ \d+\)\r\n", lines[0]), lines
    for request in (b"NOTIFY SET STATUS (MAILBOXES x (MessageNew))", b"NOTIFY SET (MAILBOXES x (FlagChange))",
                    b"NOTIFY SET (PERSONAL (MessageNew FlagChange))"):
        assert command(sock, reader, b"n2", request)[-1] == b"n2 OK NOTIFY completed.\r\n", request
    for request in (b"NOTIFY SET (SELECTED (MessageExpunge))", b"NOTIFY SET (SELECTED (FlagChange))"):
        assert command(sock, reader, b"n3", request)[-1].startswith(b"n3 BAD "), request
    # MessageExpunge alone: an expunge in x is reported, an arrival is not.
    assert command(sock, reader, b"n4", b"NOTIFY SET (MAILBOXES x (MessageExpunge))")[-1] == b"n4 OK NOTIFY completed.\r\n"
    other, other_reader = raw_imap(server, USER)
    append(other, other_reader, b"a", b"x", b"Subject: x\r\n\r\nx\r\n")
    assert command(sock, reader, b"q", b"NOOP") == [b"q OK NOOP completed.\r\n"]
    assert command(other, other_reader, b"s", b"SELECT x")[-1].startswith(b"s OK")
    assert command(other, other_reader, b"d", b"STORE 1 +FLAGS.SILENT (\\Deleted)")[-1].startswith(b"d OK")
    assert command(other, other_reader, b"e", b"EXPUNGE")[-1].startswith(b"e OK")
    # The event reaches this session between its commands: give it a moment.
    lines = []
    for _ in range(50):
        lines += command(sock, reader, b"r", b"NOOP")
        if any(line.startswith(b"* STATUS x ") for line in lines):
            break
        time.sleep(0.1)
    assert [line for line in lines if line.startswith(b"* STATUS")] == [lines[0]] and lines[0].startswith(b"* STATUS x (MESSAGES 0 "), lines
    assert command(sock, reader, b"z", b"NOTIFY NONE") == [b"z OK NOTIFY completed.\r\n"]
    other.close()
    sock.close()


def test_lsub_lists_unsubscribed_parent_as_noselect(imap_server):
    """Item 8. RFC 3501 §6.3.9: "box/test2" subscribed, "box" not: a pattern ending in % at box's level lists box
    with \\Noselect; one that reaches the subscribed name lists it. Without a trailing % (or with *) the parent is not
    listed (as in Dovecot). A subscription whose mailbox is gone is listed without attributes (as in Dovecot)."""
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    for request in (b"CREATE box/test2", b"CREATE box/test3/deep", b"SUBSCRIBE box/test2", b"SUBSCRIBE box/test3/deep",
                    b"UNSUBSCRIBE box"):
        assert command(sock, reader, b"c", request)[-1].startswith(b"c OK"), request

    def lsub(pattern: bytes) -> list[bytes]:
        lines = command(sock, reader, b"l", b'LSUB "" ' + pattern)
        assert lines[-1] == b"l OK Lsub completed.\r\n"
        return [line for line in lines[:-1] if not line.endswith(b" INBOX\r\n")]

    assert lsub(b"%") == [b'* LSUB (\\Noselect) "/" box\r\n']
    assert lsub(b"bo%") == [b'* LSUB (\\Noselect) "/" box\r\n']
    assert lsub(b"box/%") == [b'* LSUB () "/" box/test2\r\n', b'* LSUB (\\Noselect) "/" box/test3\r\n']
    assert lsub(b"box/%/%") == [b'* LSUB () "/" box/test3/deep\r\n']
    assert lsub(b"box") == [] and lsub(b"b*x") == []
    assert lsub(b"box/*") == [b'* LSUB () "/" box/test2\r\n', b'* LSUB () "/" box/test3/deep\r\n']
    assert command(sock, reader, b"d", b"DELETE box/test3/deep")[-1].startswith(b"d OK")
    assert lsub(b"box/test3/%") == [b'* LSUB () "/" box/test3/deep\r\n']
    # Once the parent is subscribed it is listed as itself.
    assert command(sock, reader, b"c", b"CREATE box")[-1].startswith(b"c OK")
    assert command(sock, reader, b"c", b"SUBSCRIBE box")[-1].startswith(b"c OK")
    assert lsub(b"%") == [b'* LSUB () "/" box\r\n']
    sock.close()


def test_lsub_tb_lsub_flags_marks_names_without_mailbox(imap_server):
    """With Dovecot's `tb-lsub-flags` workaround (for Thunderbird) a subscribed name whose mailbox is gone is
    \\Noselect in LSUB; without it (the default, above) it has no attributes."""
    server = imap_server(extra="imap_client_workarounds = tb-lsub-flags\n")
    sock, reader = raw_imap(server, USER)
    for request in (b"CREATE gone", b"CREATE kept", b"SUBSCRIBE gone", b"SUBSCRIBE kept", b"DELETE gone"):
        assert command(sock, reader, b"c", request)[-1].startswith(b"c OK"), request
    assert command(sock, reader, b"l", b'LSUB "" *') == [b'* LSUB () "/" INBOX\r\n', b'* LSUB (\\Noselect) "/" gone\r\n',
                                                         b'* LSUB () "/" kept\r\n', b"l OK Lsub completed.\r\n"]
    sock.close()


def test_binary_append_then_body_fetch(imap_server):
    """Item 9. A message APPENDed as a `~{n}` literal (RFC 3516) with a `Content-Transfer-Encoding: binary` part
    holding NUL, CR and LF bytes: as in Dovecot the part is stored base64-encoded, so BODY[1] is its base64 text
    and BINARY[1] the exact bytes sent. NUL in a part without that encoding goes out as 0x80 in BODY (a `{n}`
    literal cannot carry NUL, RFC 3501 §4.3; Dovecot sends 0x80), as itself in BINARY's `~{n}` literal."""
    import base64
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    assert command(sock, reader, b"c", b"CREATE bin")[-1].startswith(b"c OK")
    content = bytes(range(256)) * 2
    multipart = (b"Content-Type: multipart/mixed; boundary=xx\r\nSubject: bin\r\n\r\n--xx\r\n"
                 b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" + content
                 + b"\r\n--xx\r\nContent-Type: text/plain\r\n\r\nplain\r\n--xx--\r\n")
    append(sock, reader, b"a", b"bin", multipart, binary=True)
    # The synchronizing form of the report: wait for the continuation.
    simple = b"Subject: simple\r\n\r\n\x00hello\x00world\r\n"
    sock.sendall(b"b APPEND bin ~{%d}\r\n" % len(simple))
    assert reader.readline().startswith(b"+ ")
    sock.sendall(simple + b"\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b OK")
    assert command(sock, reader, b"s", b"SELECT bin")[-1].startswith(b"s OK")
    encoded = base64.encodebytes(content).replace(b"\n", b"\r\n").rstrip(b"\r\n")
    sock.sendall(b"f FETCH 1 (BODY.PEEK[1] BINARY.PEEK[1] BODY.PEEK[2] BODY.PEEK[1.MIME])\r\n")
    assert reader.readline() == b"* 1 FETCH (BODY[1] {%d}\r\n" % len(encoded)
    assert reader.read(len(encoded)) == encoded
    assert reader.read(len(b" BINARY[1] ~{%d}\r\n" % len(content))) == b" BINARY[1] ~{%d}\r\n" % len(content)
    assert reader.read(len(content)) == content
    assert reader.readline() == b" BODY[2] {5}\r\n"
    assert reader.readline().startswith(b"plain BODY[1.MIME] {")
    assert reader.readline() == b"Content-Type: application/octet-stream\r\n"
    assert reader.readline() == b"Content-Transfer-Encoding: base64\r\n"
    assert reader.readline() == b"\r\n"
    assert reader.readline() == b")\r\n"
    assert reader.readline() == b"f OK Fetch completed.\r\n"
    lines = command(sock, reader, b"t", b"FETCH 1 BODYSTRUCTURE")
    assert b'("application" "octet-stream" NIL NIL NIL "base64" %d ' % len(encoded) in lines[0], lines
    sock.sendall(b"g FETCH 2 (BODY.PEEK[1] BINARY.PEEK[1])\r\n")
    assert reader.readline() == b"* 2 FETCH (BODY[1] {14}\r\n"
    assert reader.read(14) == b"\x80hello\x80world\r\n"
    assert reader.readline() == b" BINARY[1] ~{14}\r\n"
    assert reader.read(14) == b"\x00hello\x00world\r\n"
    assert reader.readline() == b")\r\n"
    assert reader.readline() == b"g OK Fetch completed.\r\n"
    sock.close()


INVALID = b'"!#$&\'+,-.0123456789:;<=>?@^_`|[}"'


def test_invalid_mailbox_names_are_no_and_never_disconnect(imap_server):
    """Item 10. A mailbox name that is not valid modified UTF-7 is valid syntax: every command naming one is answered
    NO (Dovecot: "Mailbox name is not valid mUTF-7."), LIST/LSUB with such a pattern OK with no match (other patterns
    still match), NOTIFY ignores it, and the client is never disconnected for it, however many it sends."""
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    refused = b"Mailbox name is not valid mUTF-7.\r\n"
    for request in (b"SELECT " + INVALID, b'EXAMINE "&-&"', b'STATUS "&Jjo" (MESSAGES)', b'CREATE "a&b"',
                    b'DELETE "a&b"', b'RENAME INBOX "a&b"', b'RENAME "a&b" x', b'SUBSCRIBE "a&b"', b'UNSUBSCRIBE "a&b"',
                    b'GETQUOTAROOT "a&b"'):
        assert command(sock, reader, b"n", request) == [b"n NO " + refused], request
    sock.sendall(b'a APPEND "a&b" {6+}\r\nx: y\r\n\r\n')
    assert until_tagged(reader, b"a") == [b"a NO " + refused]
    for request in (b'LIST "" ' + INVALID, b'LIST "a&b" "*"', b'LIST "" "INBOX/a&b/%"', b'LSUB "" "a&b"'):
        lines = command(sock, reader, b"l", request)
        assert len(lines) == 1 and lines[0].endswith(b" OK " + (b"Lsub" if b"LSUB" in request else b"List") + b" completed.\r\n"), (request, lines)
    assert command(sock, reader, b"l", b'LIST "" ("a&b" "INBOX")') == [b'* LIST (\\HasNoChildren) "/" INBOX\r\n', b"l OK List completed.\r\n"]
    lines = command(sock, reader, b"n", b'NOTIFY SET STATUS (MAILBOXES ("a&b" INBOX) (MessageNew MessageExpunge))')
    assert lines[0].startswith(b"* STATUS INBOX (") and lines[-1] == b"n OK NOTIFY completed.\r\n", lines
    assert command(sock, reader, b"n", b"NOTIFY NONE")[-1] == b"n OK NOTIFY completed.\r\n"
    # COPY without a selected mailbox: the state error comes first, as in Dovecot.
    assert command(sock, reader, b"c", b'COPY 1 "a&b"')[-1].startswith(b"c BAD ")
    assert command(sock, reader, b"s", b"SELECT INBOX")[-1].startswith(b"s OK")
    append(sock, reader, b"p", b"INBOX", b"Subject: x\r\n\r\nx\r\n")
    assert command(sock, reader, b"c", b'COPY 1 "a&b"') == [b"c NO " + refused]
    assert command(sock, reader, b"c", b'UID MOVE 1:* "a&b"') == [b"c NO " + refused]
    # RFC 3501 §6.3.1: the failed SELECT leaves no mailbox selected.
    assert command(sock, reader, b"x", b"EXAMINE " + INVALID) == [b"* OK [CLOSED] Previous mailbox closed.\r\n", b"x NO " + refused]
    assert command(sock, reader, b"f", b"FETCH 1 FLAGS")[-1].startswith(b"f BAD ")
    # Far more than the 20 invalid commands a session may send in a row: none of these counts.
    for _ in range(25):
        assert command(sock, reader, b"x", b"SELECT " + INVALID) == [b"x NO " + refused]
    assert command(sock, reader, b"z", b"NOOP") == [b"z OK NOOP completed.\r\n"]
    sock.close()


def test_invalid_commands_are_counted_in_a_row(imap_server):
    """Item 10's disconnect: Dovecot (logged in) disconnects after 20 invalid commands in a row; one that parses resets
    the count, so a client that sometimes sends something odd is never cut off."""
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    for _ in range(3):
        sock.sendall(b"".join(b"b%d BOGUS\r\n" % number for number in range(19)) + b"c NOOP\r\n")
        assert until_tagged(reader, b"c")[-1] == b"c OK NOOP completed.\r\n"
    sock.close()


def test_dates_the_month_does_not_have_are_valid_syntax(imap_server):
    """Item 10's class: date-day is 1*2DIGIT, so 31-Feb-2020 is valid syntax. As in Dovecot, SEARCH compares with it
    (no BAD), and APPEND takes the arrival time for such a date-time instead of refusing the message."""
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    message = b"Subject: x\r\n\r\nx\r\n"
    for date_time in (b"31-Feb-2020 10:00:00 +0000", b"01-Jan-2020 25:61:00 +0000"):
        sock.sendall(b'a APPEND INBOX "%s" {%d+}\r\n' % (date_time, len(message)) + message + b"\r\n")
        assert until_tagged(reader, b"a")[-1].startswith(b"a OK [APPENDUID "), date_time
    # Zone minutes beyond 59 count as minutes (Dovecot: 10:00 at +0099 is 08:21 UTC).
    sock.sendall(b'a APPEND INBOX "01-Jan-2020 10:00:00 +0099" {%d+}\r\n' % len(message) + message + b"\r\n")
    assert until_tagged(reader, b"a")[-1].startswith(b"a OK [APPENDUID ")
    assert command(sock, reader, b"s", b"SELECT INBOX")[-1].startswith(b"s OK")
    for request in (b"SEARCH ON 31-Feb-2020", b"SEARCH SINCE 0-Jan-2020 BEFORE 99-Dec-2019", b"SEARCH SENTSINCE 30-Feb-2021"):
        assert command(sock, reader, b"f", request)[-1] == b"f OK Search completed.\r\n", request
    lines = command(sock, reader, b"d", b"FETCH 1:2 INTERNALDATE")
    assert b"2020" not in lines[0] + lines[1], lines
    assert command(sock, reader, b"g", b"SEARCH SINCE 1-Jan-2021") == [b"* SEARCH 1 2\r\n", b"g OK Search completed.\r\n"]
    sent = command(sock, reader, b"h", b"UID SEARCH SENTON 1-Jan-2020")  # no Date: header, so none
    assert sent == [b"* SEARCH\r\n", b"h OK Search completed.\r\n"], sent
    lines = command(sock, reader, b"i", b"FETCH 3 INTERNALDATE")
    shown = re.match(rb'\* 3 FETCH \(INTERNALDATE "([^"]+)"\)', lines[0]).group(1).decode()
    moment = datetime.datetime.strptime(shown, "%d-%b-%Y %H:%M:%S %z")
    assert moment == datetime.datetime(2020, 1, 1, 8, 21, tzinfo=datetime.timezone.utc), lines
    sock.close()


SMALL_MESSAGE = b"Subject: x\r\n\r\nbody\r\n"


def append_literal(sock, reader, tag: bytes, arguments: bytes = b"INBOX") -> list[bytes]:
    """APPEND of SMALL_MESSAGE as a synchronizing literal; the response lines up to the tagged one."""
    sock.sendall(tag + b" APPEND " + arguments + b" {%d}\r\n" % len(SMALL_MESSAGE))
    assert reader.readline().startswith(b"+")
    sock.sendall(SMALL_MESSAGE + b"\r\n")
    return until_tagged(reader, tag)


def test_unknown_system_flags_are_bad_in_store_and_append(imap_server):
    # Dovecot 2.3: "BAD Error in IMAP command STORE: Invalid system flag \FOO" (and the same for \Recent, which
    # only the server sets); nothing is stored, and the session goes on.
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    assert append_literal(sock, reader, b"a")[-1].startswith(b"a OK")
    command(sock, reader, b"s", b"SELECT INBOX")
    for flag in (b"\\Foo", b"\\Recent"):
        lines = command(sock, reader, b"t", b"STORE 1 +FLAGS (%s)" % flag)
        assert lines[-1].startswith(b"t BAD") and b"Invalid system flag " + flag.upper() in lines[-1], lines
    # The literal is asked for before the command is parsed (Dovecot refuses before it: RFC 3501 §7.5 allows both).
    lines = append_literal(sock, reader, b"u", b"INBOX (\\Foo)")
    assert lines[-1].startswith(b"u BAD") and b"Invalid system flag \\FOO" in lines[-1], lines
    lines = command(sock, reader, b"f", b"FETCH 1:* (FLAGS)")
    assert len([line for line in lines if b"FETCH" in line and line.startswith(b"*")]) == 1, lines


def test_sections_a_message_does_not_have_are_empty_as_in_dovecot(imap_server):
    # `* 1 FETCH ()` (what BINARY.SIZE of a missing part gave) is not valid syntax; Dovecot 2.3 answers 0 and empty
    # strings, with the implied FLAGS before the data.
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    assert append_literal(sock, reader, b"a")[-1].startswith(b"a OK")
    command(sock, reader, b"s", b"SELECT INBOX")
    assert command(sock, reader, b"b", b"FETCH 1 (BINARY.SIZE[3])")[0] == b"* 1 FETCH (BINARY.SIZE[3] 0)\r\n"
    assert command(sock, reader, b"c", b"FETCH 1 (BODY.PEEK[3])")[:2] == [b"* 1 FETCH (BODY[3] {0}\r\n", b")\r\n"]
    assert command(sock, reader, b"d", b"FETCH 1 (BINARY.PEEK[2.1])")[:2] == [b"* 1 FETCH (BINARY[2.1] {0}\r\n", b")\r\n"]
    lines = command(sock, reader, b"e", b"UID FETCH 1 (BODY[1])")
    assert lines[0].startswith(b"* 1 FETCH (UID 1 FLAGS (\\Seen") and lines[0].endswith(b"BODY[1] {6}\r\n"), lines
