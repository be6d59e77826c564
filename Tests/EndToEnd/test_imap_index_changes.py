"""A selected session skips the index query between commands when nothing changed; these tests make sure
every kind of change is still reported at the right point (LMTP delivery in the same process, another
session's STORE and EXPUNGE), and that FETCH honours mail_prefetch_count (0 = one body at a time)."""
import smtplib

from conftest import command, raw_imap

USER = "jane@example.com"


def mail(number: int) -> bytes:
    return (b"From: a@example.org\r\nTo: jane@example.com\r\nSubject: mail %d\r\nMessage-ID: <%d@t>\r\n\r\n"
            b"body of mail %d\r\n" % (number, number, number))


def deliver(server, message: bytes) -> None:
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", [USER], message)


def test_lmtp_delivery_and_other_sessions_changes_are_reported(imap_server):
    server = imap_server()
    deliver(server, mail(1))
    deliver(server, mail(2))
    sock, reader = raw_imap(server, USER)
    assert b"* 2 EXISTS\r\n" in command(sock, reader, b"s", b"SELECT INBOX")
    # Nothing changed: NOOP answers without untagged responses.
    assert command(sock, reader, b"n1", b"NOOP") == [b"n1 OK NOOP completed.\r\n"]

    deliver(server, mail(3))
    lines = command(sock, reader, b"n2", b"NOOP")
    assert b"* 3 EXISTS\r\n" in lines, lines

    other, other_reader = raw_imap(server, USER)
    command(other, other_reader, b"o1", b"SELECT INBOX")
    assert command(other, other_reader, b"o2", b"STORE 1 +FLAGS (\\Flagged)")[-1].startswith(b"o2 OK")
    lines = command(sock, reader, b"f1", b"FETCH 2 (FLAGS)")
    assert any(line.startswith(b"* 1 FETCH (") and b"\\Flagged" in line for line in lines), lines

    assert command(other, other_reader, b"o3", b"STORE 1 +FLAGS (\\Deleted)")[-1].startswith(b"o3 OK")
    assert command(other, other_reader, b"o4", b"EXPUNGE")[-1].startswith(b"o4 OK")
    # No EXPUNGE during FETCH (RFC 3501 §7.4.1); message 1 keeps its number until NOOP.
    lines = command(sock, reader, b"f2", b"FETCH 1:3 (UID)")
    assert not any(line.startswith(b"* ") and line.endswith(b" EXPUNGE\r\n") for line in lines), lines
    assert any(line.startswith(b"* 3 FETCH (UID 3)") for line in lines), lines
    lines = command(sock, reader, b"n3", b"NOOP")
    assert b"* 1 EXPUNGE\r\n" in lines, lines
    lines = command(sock, reader, b"f3", b"FETCH 1 (UID)")
    assert lines[0] == b"* 1 FETCH (UID 2)\r\n", lines
    sock.close()
    other.close()


def test_fetch_bodies_with_mail_prefetch_count_zero(imap_server):
    server = imap_server(extra="mail_prefetch_count = 0\n")
    for number in range(1, 6):
        deliver(server, mail(number))
    sock, reader = raw_imap(server, USER)
    command(sock, reader, b"s", b"SELECT INBOX")
    lines = command(sock, reader, b"f", b"FETCH 1:5 (BODY.PEEK[TEXT])")
    assert lines[-1].startswith(b"f OK"), lines
    answer = b"".join(lines)
    for number in range(1, 6):
        assert b"* %d FETCH (BODY[TEXT] {16}\r\nbody of mail %d\r\n)" % (number, number) in answer, answer
    sock.close()
