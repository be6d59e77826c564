"""NOTIFY (RFC 5465) over raw sockets: what a session that asked for events hears, unprompted, about changes by
other sessions of the user and by LMTP delivery in the same process — and what it does not hear."""
import smtplib
import time

from conftest import command, raw_imap, until_tagged

USER = "jane@example.com"


def mail(subject: str) -> bytes:
    return b"From: a@example.org\r\nTo: jane@example.com\r\nSubject: %s\r\n\r\nbody\r\n" % subject.encode()


def deliver(server, message: bytes) -> None:
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", [USER], message)


def read_until(reader, wanted: bytes) -> list[bytes]:
    """Unsolicited lines up to the first one that contains `wanted` (the server sends them without a command)."""
    lines = []
    while True:
        line = reader.readline()
        assert line, f"connection closed before {wanted!r}: {lines}"
        lines.append(line)
        if wanted in line:
            return lines


def idle(sock, reader, tag=b"i"):
    sock.sendall(tag + b" IDLE\r\n")
    assert reader.readline() == b"+ idling\r\n"


def done(sock, reader, tag=b"i") -> list[bytes]:
    sock.sendall(b"DONE\r\n")
    return until_tagged(reader, tag)


def test_status_for_inbox_when_lmtp_delivers_during_idle(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    lines = command(sock, reader, b"n", b"NOTIFY SET STATUS (INBOXES (MessageNew MessageExpunge))")
    # The STATUS indicator: the current state of every watched mailbox before the OK.
    assert lines[-1] == b"n OK NOTIFY completed.\r\n", lines
    assert lines[0].startswith(b"* STATUS INBOX (MESSAGES 0 UIDNEXT 1 UIDVALIDITY "), lines
    idle(sock, reader)
    deliver(server, mail("first"))
    line = read_until(reader, b"* STATUS")[-1]
    assert line.startswith(b"* STATUS INBOX (MESSAGES 1 UIDNEXT 2 UIDVALIDITY ") and b"UNSEEN 1)" in line, line
    assert done(sock, reader) == [b"i OK Idle completed.\r\n"]

    # Also between commands: the next delivery is announced before the client sends anything.
    deliver(server, mail("second"))
    assert read_until(reader, b"* STATUS")[-1].startswith(b"* STATUS INBOX (MESSAGES 2 UIDNEXT 3 ")
    # Expunges by another session, too (MessageExpunge), with HIGHESTMODSEQ once CONDSTORE is on.
    assert command(sock, reader, b"e", b"ENABLE CONDSTORE")[-1].startswith(b"e OK")
    other = server.imap(USER)
    other.select("INBOX")
    other.store("1", "+FLAGS", "\\Deleted")
    other.expunge()
    line = read_until(reader, b"* STATUS")[-1]
    assert line.startswith(b"* STATUS INBOX (MESSAGES 1 UIDNEXT 3 ") and b"HIGHESTMODSEQ " in line, line
    other.logout()


def test_mailbox_name_and_subscription_changes_by_another_session(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    assert command(sock, reader, b"n", b"NOTIFY SET (PERSONAL (MailboxName SubscriptionChange))")[-1].startswith(b"n OK")
    idle(sock, reader)
    other = server.imap(USER)
    other.create("Projects")
    assert read_until(reader, b"* LIST")[-1] == b'* LIST () "/" Projects\r\n'
    other.create("Projects/Old")
    assert read_until(reader, b"* LIST")[-1] == b'* LIST () "/" Projects/Old\r\n'
    other.rename("Projects", "Work")
    # Every renamed mailbox, children too, with its old name (RFC 5465 §5.4).
    assert read_until(reader, b"* LIST")[-1] == b'* LIST () "/" Work ("OLDNAME" (Projects))\r\n'
    assert read_until(reader, b"* LIST")[-1] == b'* LIST () "/" Work/Old ("OLDNAME" (Projects/Old))\r\n'
    other.subscribe("Work")
    assert read_until(reader, b"* LIST")[-1] == b'* LIST (\\Subscribed) "/" Work\r\n'
    other.unsubscribe("Work")
    assert read_until(reader, b"* LIST")[-1] == b'* LIST () "/" Work\r\n'
    other.delete("Work/Old")
    assert read_until(reader, b"* LIST")[-1] == b'* LIST (\\NonExistent) "/" Work/Old\r\n'
    other.logout()
    assert done(sock, reader) == [b"i OK Idle completed.\r\n"]
    # The session's own changes are not echoed back (RFC 5465 §5).
    assert command(sock, reader, b"c", b"CREATE Mine") == [b"c OK Create completed.\r\n"]
    assert command(sock, reader, b"d", b"NOOP") == [b"d OK NOOP completed.\r\n"]


def test_flag_changes_in_a_mailbox_that_is_not_selected(imap_server):
    server = imap_server()
    other = server.imap(USER)
    other.create("Archive")
    other.append("Archive", None, None, mail("kept"))
    other.append("INBOX", None, None, mail("new"))
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    lines = command(sock, reader, b"n", b"NOTIFY SET (SELECTED (MessageNew MessageExpunge FlagChange)) "
                                        b"(MAILBOXES Archive (MessageNew MessageExpunge FlagChange))")
    assert lines == [b"n OK NOTIFY completed.\r\n"], lines
    idle(sock, reader)
    other.select("Archive")
    other.store("1", "+FLAGS", "\\Seen")
    line = read_until(reader, b"* STATUS")[-1]
    assert line.startswith(b"* STATUS Archive (UIDVALIDITY ") and b" UNSEEN 0 HIGHESTMODSEQ " in line, line
    # In the selected mailbox the same change is a FETCH with UID and FLAGS (RFC 5465 §5.1).
    other.select("INBOX")
    other.store("1", "+FLAGS", "\\Flagged")
    line = read_until(reader, b"FETCH")[-1]
    assert line.startswith(b"* 1 FETCH (UID 1 FLAGS (\\Flagged"), line
    other.logout()
    assert done(sock, reader) == [b"i OK Idle completed.\r\n"]


def test_selected_mailbox_expunge_arrives_unprompted_but_delayed_waits(imap_server):
    server = imap_server()
    other = server.imap(USER)
    for subject in ("one", "two", "three"):
        other.append("INBOX", None, None, mail(subject))
    other.select("INBOX")
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    command(sock, reader, b"n", b"NOTIFY SET (SELECTED (MessageNew MessageExpunge))")
    other.store("1", "+FLAGS", "\\Deleted")
    other.expunge()
    # No command, no IDLE: the EXPUNGE comes by itself.
    assert read_until(reader, b"EXPUNGE")[-1] == b"* 1 EXPUNGE\r\n"

    # SELECTED-DELAYED: new mail at once, the expunge only when a command may report it (RFC 5465 §6.1).
    command(sock, reader, b"n2", b"NOTIFY SET (SELECTED-DELAYED (MessageNew MessageExpunge))")
    other.store("1", "+FLAGS", "\\Deleted")
    other.expunge()
    other.append("INBOX", None, None, mail("four"))
    lines = read_until(reader, b"EXISTS")
    assert lines[-1] == b"* 3 EXISTS\r\n" and not any(line.endswith(b" EXPUNGE\r\n") for line in lines), lines
    lines = command(sock, reader, b"f", b"FETCH 1:* (UID)")
    assert not any(line.endswith(b" EXPUNGE\r\n") for line in lines), lines
    assert b"* 1 EXPUNGE\r\n" in command(sock, reader, b"p", b"NOOP")
    other.logout()


def test_flag_changes_of_the_selected_mailbox_only_with_flagchange(imap_server):
    server = imap_server()
    other = filled = server.imap(USER)
    filled.append("INBOX", None, None, mail("one"))
    other.select("INBOX")
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    command(sock, reader, b"n", b"NOTIFY SET (SELECTED (MessageNew MessageExpunge))")
    other.store("1", "+FLAGS", "\\Flagged")
    other.append("INBOX", None, None, mail("two"))
    lines = read_until(reader, b"EXISTS")
    assert lines[-1] == b"* 2 EXISTS\r\n" and not any(b"FETCH" in line for line in lines), lines
    other.logout()


def test_message_new_with_fetch_attributes(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    command(sock, reader, b"n", b"NOTIFY SET (SELECTED (MessageNew (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)]) MessageExpunge))")
    idle(sock, reader)
    deliver(server, mail("hello"))
    lines = read_until(reader, b"FETCH")
    assert b"* 1 EXISTS\r\n" in lines, lines
    assert lines[-1].startswith(b"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {"), lines
    assert reader.readline() == b"Subject: hello\r\n"
    assert done(sock, reader)[-1] == b"i OK Idle completed.\r\n"


def test_notify_none_silences_even_the_selected_mailbox(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    assert command(sock, reader, b"n", b"NOTIFY NONE") == [b"n OK NOTIFY completed.\r\n"]
    idle(sock, reader)
    other = server.imap(USER)
    other.append("INBOX", None, None, mail("unheard"))
    other.create("Unheard")
    other.logout()
    time.sleep(1)
    assert done(sock, reader) == [b"i OK Idle completed.\r\n"]
    assert command(sock, reader, b"c", b"CAPABILITY")[-1].startswith(b"c OK")
    # What the client asks for it still gets.
    assert b"* 1 EXISTS\r\n" in command(sock, reader, b"p", b"NOOP")


def test_refused_event_lists(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, USER)
    supported = b"(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange)"
    for request in (b"(PERSONAL (MailboxMetadataChange))", b"(INBOXES (MessageNew MessageExpunge AnnotationChange))"):
        answer = command(sock, reader, b"a", b"NOTIFY SET " + request)
        assert answer == [b"a NO [BADEVENT " + supported + b"] Unsupported NOTIFY event\r\n"], answer
    # The MessageNew/MessageExpunge/FlagChange composition rules bind the selected mailbox only (as in Dovecot).
    for request in (b"(SELECTED (MessageNew))", b"(SELECTED (MailboxName))", b"(SELECTED-DELAYED (FlagChange))",
                    b"(SELECTED NONE) (SELECTED-DELAYED NONE)", b"(PERSONAL (MessageNew (UID) MessageExpunge))"):
        answer = command(sock, reader, b"b", b"NOTIFY SET " + request)
        assert answer[-1].startswith(b"b BAD "), (request, answer)
    # A mailbox that does not exist is no error (RFC 5465 §6.6).
    assert command(sock, reader, b"c", b"NOTIFY SET STATUS (MAILBOXES Nowhere (MessageNew MessageExpunge))") \
        == [b"c OK NOTIFY completed.\r\n"]
