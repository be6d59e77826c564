"""QRESYNC (RFC 7162 §3.2): ENABLE, SELECT (QRESYNC …) with VANISHED (EARLIER) from the expunge log,
UID FETCH (CHANGEDSINCE n VANISHED), VANISHED instead of EXPUNGE, CLOSED on reselect."""
import re

from conftest import command, raw_imap


def fill(server, user, count):
    client = server.imap(user)
    for number in range(count):
        client.append("INBOX", None, None, b"Subject: q%d\r\n\r\nbody %d\r\n" % (number, number))
    client.logout()


def select_state(lines):
    joined = b"".join(lines)
    validity = int(re.search(rb"\[UIDVALIDITY (\d+)\]", joined).group(1))
    highest = int(re.search(rb"\[HIGHESTMODSEQ (\d+)\]", joined).group(1))
    return validity, highest


def test_qresync_needs_enable_and_reports_only_changes(imap_server):
    server = imap_server()
    fill(server, "jane@example.com", 10)
    sock, reader = raw_imap(server, "jane@example.com")
    # Without ENABLE QRESYNC the parameter is a protocol error.
    assert command(sock, reader, b"b", b"SELECT INBOX (QRESYNC (1 1))")[-1].startswith(b"b BAD")
    assert command(sock, reader, b"e", b"ENABLE QRESYNC")[0] == b"* ENABLED QRESYNC\r\n"
    # A second ENABLE enables nothing new.
    assert command(sock, reader, b"e2", b"ENABLE QRESYNC CONDSTORE")[0] == b"* ENABLED\r\n"
    validity, highest = select_state(command(sock, reader, b"s", b"SELECT INBOX"))
    command(sock, reader, b"x", b"LOGOUT")

    # Another session changes flags of 3 messages and expunges 4 (2, 3 and 9, 10: two ranges).
    other, other_reader = raw_imap(server, "jane@example.com")
    command(other, other_reader, b"s", b"SELECT INBOX")
    command(other, other_reader, b"f", b"STORE 1,4,5 +FLAGS (\\Flagged)")
    command(other, other_reader, b"d", b"STORE 2,3,9,10 +FLAGS (\\Deleted)")
    command(other, other_reader, b"x", b"EXPUNGE")
    command(other, other_reader, b"o", b"LOGOUT")

    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"e", b"ENABLE QRESYNC")
    lines = command(sock, reader, b"s", b"SELECT INBOX (QRESYNC (%d %d 1:10))" % (validity, highest))
    assert lines[-1].startswith(b"s OK [READ-WRITE]")
    assert b"* VANISHED (EARLIER) 2:3,9:10\r\n" in lines
    fetches = [line for line in lines if b" FETCH " in line]
    assert [re.search(rb"UID (\d+)", line).group(1) for line in fetches] == [b"1", b"4", b"5"]
    assert all(b"\\Flagged" in line and b"MODSEQ (" in line for line in fetches)
    assert lines.index(b"* VANISHED (EARLIER) 2:3,9:10\r\n") < lines.index(fetches[0])
    # Known UIDs limit what is reported.
    lines = command(sock, reader, b"s2", b"EXAMINE INBOX (QRESYNC (%d %d 1:4))" % (validity, highest))
    assert lines[0] == b"* OK [CLOSED] Previous mailbox closed.\r\n"
    assert b"* VANISHED (EARLIER) 2:3\r\n" in lines
    assert [re.search(rb"UID (\d+)", line).group(1) for line in lines if b" FETCH " in line] == [b"1", b"4"]
    # A changed UIDVALIDITY: a plain SELECT, nothing about changes.
    lines = command(sock, reader, b"s3", b"SELECT INBOX (QRESYNC (%d %d))" % (validity + 1, highest))
    assert not [line for line in lines if b"VANISHED" in line or b" FETCH " in line]
    command(sock, reader, b"o", b"LOGOUT")


def test_thunderbird_style_resync_returns_only_the_changes(imap_server):
    server = imap_server()
    fill(server, "jane@example.com", 6)
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"e", b"ENABLE QRESYNC")
    validity, highest = select_state(command(sock, reader, b"s", b"SELECT INBOX"))
    command(sock, reader, b"f", b"STORE 2 +FLAGS (\\Seen)")
    command(sock, reader, b"d", b"STORE 6 +FLAGS (\\Deleted)")
    # EXPUNGE with QRESYNC answers with VANISHED (UIDs), not EXPUNGE (sequence numbers).
    lines = command(sock, reader, b"x", b"EXPUNGE")
    # ... and its tagged OK tells the new HIGHESTMODSEQ (RFC 7162 §3.2.10, as Dovecot does).
    assert lines[0] == b"* VANISHED 6\r\n" and lines[1].startswith(b"x OK [HIGHESTMODSEQ "), lines
    assert int(lines[1].split(b"HIGHESTMODSEQ ")[1].split(b"]")[0]) > highest
    command(sock, reader, b"c", b"UNSELECT")
    lines = command(sock, reader, b"s", b"SELECT INBOX (QRESYNC (%d %d))" % (validity, highest))
    lines = command(sock, reader, b"u", b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % highest)
    assert lines[0] == b"* VANISHED (EARLIER) 6\r\n"
    assert len(lines) == 3 and re.match(rb"\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)\r\n", lines[1]), lines
    # Nothing changed since the newest MODSEQ: an empty answer.
    _, newest = select_state(command(sock, reader, b"s2", b"SELECT INBOX"))
    assert command(sock, reader, b"u2", b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % newest) == [b"u2 OK Fetch completed.\r\n"]
    # VANISHED modifier only with UID FETCH.
    assert command(sock, reader, b"n", b"FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")[-1].startswith(b"n BAD")
    command(sock, reader, b"o", b"LOGOUT")


def test_vanished_for_expunges_by_another_session(imap_server):
    server = imap_server()
    fill(server, "jane@example.com", 5)
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"e", b"ENABLE QRESYNC")
    command(sock, reader, b"s", b"SELECT INBOX")
    other, other_reader = raw_imap(server, "jane@example.com")
    command(other, other_reader, b"s", b"SELECT INBOX")
    command(other, other_reader, b"d", b"STORE 1:3 +FLAGS.SILENT (\\Deleted)")
    command(other, other_reader, b"x", b"EXPUNGE")
    lines = command(sock, reader, b"n", b"NOOP")
    assert b"* VANISHED 1:3\r\n" in lines
    assert not [line for line in lines if line.endswith(b" EXPUNGE\r\n")]
    # Sequence numbers moved: message 1 is now UID 4.
    assert command(sock, reader, b"f", b"FETCH 1 (UID)")[0] == b"* 1 FETCH (UID 4)\r\n"
    command(other, other_reader, b"o", b"LOGOUT")
    command(sock, reader, b"o", b"LOGOUT")


def test_unchangedsince_reports_modified_and_silent_modseq(imap_server):
    server = imap_server()
    fill(server, "jane@example.com", 3)
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"e", b"ENABLE CONDSTORE")
    _, highest = select_state(command(sock, reader, b"s", b"SELECT INBOX"))
    lines = command(sock, reader, b"a", b"UID STORE 1 +FLAGS.SILENT (\\Answered)")
    # .SILENT still reports the new MODSEQ with CONDSTORE (RFC 7162 §3.1.3).
    assert re.match(rb"\* 1 FETCH \(UID 1 MODSEQ \((\d+)\)\)\r\n", lines[0]), lines
    lines = command(sock, reader, b"u", b"UID STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % highest)
    assert lines[-1] == b"u OK [MODIFIED 1] Conditional store failed.\r\n"
    assert [re.search(rb"UID (\d+)", line).group(1) for line in lines[:-1]] == [b"2", b"3"]
    command(sock, reader, b"o", b"LOGOUT")
