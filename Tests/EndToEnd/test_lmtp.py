"""LMTP delivery against a real `objectmail serve` process with a posix store."""
import os
import signal
import smtplib
import socket
import subprocess
import time

import pytest

from conftest import wait_for

MESSAGE = (b"From: Sender <sender@example.org>\r\nTo: jane@example.com\r\nSubject: hello\r\n"
           b"Message-ID: <m1@example.org>\r\n\r\nFirst line\r\n.A line with a leading dot\r\n\r\n\xc3\xa9t\xc3\xa9\r\n")


def lmtp(server) -> smtplib.LMTP:
    client = smtplib.LMTP("127.0.0.1", server.port, timeout=60)
    client.ehlo("client.test")  # smtplib.LMTP sends LHLO
    return client


def body_of(stored: bytes) -> bytes:
    """The stored object without the headers the server added (up to and including Received:)."""
    header_end = stored.index(b"\r\n\tfor <")
    return stored[stored.index(b"\r\n", header_end + 2) + 2:]


def test_multiple_recipients_with_one_unknown_get_one_reply_each(lmtp_server):
    server = lmtp_server()
    client = lmtp(server)
    client.mail("sender@example.org", ["BODY=8BITMIME"])
    assert client.rcpt("jane@example.com")[0] == 250
    code, message = client.rcpt("nobody@example.com")
    assert (code, message) == (550, b"5.1.1 <nobody@example.com> User doesn't exist: nobody@example.com")
    assert client.rcpt("Joe@Example.com")[0] == 250
    # smtplib's LMTP.data returns only the first reply: read them all from the socket.
    code, _ = client.docmd("DATA")
    assert code == 354
    client.send(MESSAGE + b".\r\n")
    replies = [client.getreply() for _ in range(2)]
    assert [code for code, _ in replies] == [250, 250]
    assert replies[0][1].startswith(b"2.0.0 <jane@example.com> ") and replies[0][1].endswith(b" Saved")
    assert replies[1][1].startswith(b"2.0.0 <Joe@Example.com> ")
    client.quit()

    jane = server.stored("jane@example.com")
    joe = server.stored("joe@example.com")
    assert len(jane) == 1 and len(joe) == 1
    # Sent without dot-stuffing: the server removed the leading dot.
    assert body_of(jane[0]) == MESSAGE.replace(b"\r\n.A", b"\r\nA")
    assert body_of(joe[0]) == body_of(jane[0])
    assert jane[0].startswith(b"Return-Path: <sender@example.org>\r\nDelivered-To: jane@example.com\r\nReceived: from client.test")
    assert b"by lmtp.test with LMTP" in jane[0]
    assert server.stored("nobody@example.com") == []
    assert server.stop() == 0
    log = server.log.read_text()
    assert "msgid=<m1@example.org>: saved mail to INBOX" in log
    assert "rcpt=jane@example.com" in log and "result=saved" in log


def test_master_user_separator_has_no_meaning_in_a_recipient(lmtp_server):
    # A master login name is not an address: `jane*admin@…` is an unknown recipient, never jane's mail.
    server = lmtp_server(extra="auth_master_user_separator = *\n")
    client = lmtp(server)
    client.mail("sender@example.org")
    code, message = client.rcpt("jane*admin@example.com")
    assert code == 550, message
    assert client.rcpt("jane@example.com")[0] == 250
    client.quit()
    assert server.stored("jane@example.com") == []


def test_stored_bytes_are_exact_and_dots_are_unstuffed(lmtp_server):
    server = lmtp_server()
    client = lmtp(server)
    # sendmail() dot-stuffs; the server must store the original lines.
    client.sendmail("sender@example.org", ["ann@example.com"], MESSAGE)
    client.quit()
    [stored] = server.stored("ann@example.com")
    assert body_of(stored) == MESSAGE


def test_detail_address_goes_to_the_detail_mailbox(lmtp_server):
    server = lmtp_server(extra="lmtp_save_to_detail_mailbox = yes\nlda_mailbox_autocreate = yes\n"
                               "lda_original_recipient_header = X-Original-To\n")
    client = lmtp(server)
    client.sendmail("sender@example.org", ["jane+lists@example.com"], MESSAGE)
    client.sendmail("sender@example.org", ["jane@example.com"], MESSAGE)
    client.quit()
    boxes = server.mailbox_of_objects("jane@example.com")
    assert sorted(boxes) == ["INBOX", "lists"]
    assert b"Delivered-To: jane+lists@example.com\r\nX-Original-To: jane+lists@example.com\r\n" in boxes["lists"][0]


def test_failing_store_gives_451_and_keeps_nothing(lmtp_server, tmp_path):
    objects = tmp_path / "failing-objects"
    server = lmtp_server(obox_fs=f"randomfail:write=100:posix:{objects}")
    client = lmtp(server)
    client.mail("sender@example.org")
    client.rcpt("jane@example.com")
    client.rcpt("joe@example.com")
    client.docmd("DATA")
    client.send(MESSAGE + b".\r\n")
    replies = [client.getreply() for _ in range(2)]
    assert replies == [(451, b"4.3.0 <jane@example.com> Temporary failure"),
                       (451, b"4.3.0 <joe@example.com> Temporary failure")]
    # The session goes on after a failure.
    assert client.noop()[0] == 250
    client.quit()
    leftovers = [path for path in objects.rglob("*") if path.is_file() and "/mailboxes/" in str(path)]
    assert leftovers == []


def test_size_limit(lmtp_server):
    server = lmtp_server(plugin="quota_max_mail_size = 10k")
    client = lmtp(server)
    assert client.has_extn("size") and client.esmtp_features["size"] == "10240"
    code, message = client.mail("sender@example.org", ["SIZE=20000"])
    assert (code, message) == (552, b"5.3.4 Message too big for system")
    client.mail("sender@example.org")
    client.rcpt("jane@example.com")
    client.docmd("DATA")
    client.send(MESSAGE + b"x" * 20000 + b"\r\n.\r\n")
    assert client.getreply() == (552, b"5.3.4 Message too big for system")
    client.quit()
    assert server.stored("jane@example.com") == []


def test_hundred_messages_pipelined_in_one_write(lmtp_server):
    server = lmtp_server()
    commands = [b"LHLO pipeline.test\r\n"]
    for number in range(100):
        commands.append(b"MAIL FROM:<sender@example.org>\r\nRCPT TO:<joe@example.com>\r\nDATA\r\n"
                        + MESSAGE.replace(b"<m1@", b"<m%d@" % number).replace(b"\r\n.", b"\r\n..") + b".\r\n")
    commands.append(b"QUIT\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as sock:
        sock.sendall(b"".join(commands))
        received = b""
        while not received.endswith(b"221 2.0.0 lmtp.test Bye\r\n"):
            chunk = sock.recv(65536)
            assert chunk, received[-500:]
            received += chunk
    saved = [line for line in received.split(b"\r\n") if line.endswith(b" Saved")]
    assert len(saved) == 100
    stored = server.stored("joe@example.com")
    assert len(stored) == 100
    assert sorted(body_of(item) for item in stored) == sorted(
        MESSAGE.replace(b"<m1@", b"<m%d@" % number) for number in range(100))


def test_a_bdat_chunk_over_the_size_limit_is_refused_at_once(lmtp_server):
    # No waiting for 4 GiB that will never be stored: 552 and the connection closes.
    server = lmtp_server()
    client = lmtp(server)
    client.mail("sender@example.org")
    client.rcpt("ann@example.com")
    client.send(b"BDAT 4294967295 LAST\r\n")
    assert client.getreply() == (552, b"5.3.4 Message too big for system")
    client.sock.settimeout(10)
    assert client.sock.recv(100) == b""
    assert server.stored("ann@example.com") == []


def test_recipients_beyond_the_limit_get_452(lmtp_server):
    server = lmtp_server()
    client = lmtp(server)
    client.mail("sender@example.org")
    # Pipelined, as an MTA sends them; the answers come in order.
    client.send(b"RCPT TO:<ann@example.com>\r\n" * 1001)
    codes = [client.getreply()[0] for _ in range(1001)]
    assert codes[:1000] == [250] * 1000 and codes[1000] == 452
    assert client.rset()[0] == 250
    client.quit()


def test_bdat_chunks(lmtp_server):
    server = lmtp_server()
    client = lmtp(server)
    assert client.has_extn("chunking") and client.has_extn("pipelining") and client.has_extn("enhancedstatuscodes")
    client.mail("sender@example.org")
    client.rcpt("ann@example.com")
    half = len(MESSAGE) // 2
    client.send(b"BDAT %d\r\n" % half + MESSAGE[:half])
    assert client.getreply()[0] == 250
    client.send(b"BDAT %d LAST\r\n" % (len(MESSAGE) - half) + MESSAGE[half:])
    assert client.getreply()[0] == 250
    client.quit()
    [stored] = server.stored("ann@example.com")
    assert body_of(stored) == MESSAGE


def test_swaks_delivers(lmtp_server):
    server = lmtp_server()
    result = subprocess.run(["swaks", "--protocol", "LMTP", "--server", "127.0.0.1", "--port", str(server.port),
                             "--from", "sender@example.org", "--to", "jane@example.com,nobody@example.com",
                             "--header", "Subject: from swaks", "--body", "swaks body"],
                            capture_output=True, text=True, timeout=60)
    assert "<** 550 5.1.1 <nobody@example.com>" in result.stdout, result.stdout
    assert "<-  250 2.0.0 <jane@example.com>" in result.stdout, result.stdout
    [stored] = server.stored("jane@example.com")
    assert b"Subject: from swaks" in stored and b"swaks body" in stored


def test_parallel_first_deliveries_to_one_user(lmtp_server):
    """Several sessions deliver to a user nobody has touched yet, at the same moment."""
    import concurrent.futures
    server = lmtp_server()

    def deliver(number: int):
        client = lmtp(server)
        client.mail("sender@example.org")
        client.rcpt("ann@example.com")
        reply = client.data(MESSAGE.replace(b"<m1@", b"<p%d@" % number))
        client.quit()
        return reply

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(deliver, range(8)))
    assert [code for code, _ in replies] == [250] * 8, replies
    assert len(server.stored("ann@example.com")) == 8


def test_unix_socket_listener_with_mode(lmtp_server, tmp_path):
    socket_path = tmp_path / "lmtp.sock"
    server = lmtp_server(extra=f"service lmtp {{\n  unix_listener {socket_path} {{\n    mode = 0660\n  }}\n}}\n")
    # Unix sockets are bound before the TCP port the fixture waits for; wait anyway, as any client would.
    assert wait_for(socket_path.exists)
    assert oct(os.stat(socket_path).st_mode & 0o777) == "0o660"
    client = smtplib.LMTP(str(socket_path), timeout=60)  # a host starting with / is a Unix socket
    client.ehlo("unix.test")
    client.sendmail("sender@example.org", ["joe@example.com"], MESSAGE)
    client.quit()
    [stored] = server.stored("joe@example.com")
    assert body_of(stored) == MESSAGE
    assert b"Received: from unix.test ([local])" in stored


def test_sigterm_lets_an_open_transaction_finish(lmtp_server):
    server = lmtp_server()
    client = lmtp(server)
    client.mail("sender@example.org")
    client.rcpt("jane@example.com")
    idle = lmtp(server)
    server.process.send_signal(signal.SIGTERM)
    # A session between transactions is told at once (and stops holding up the shutdown).
    assert idle.getreply() == (421, b"4.3.2 lmtp.test Shutting down")
    time.sleep(0.2)
    # No new connections once shutdown has begun …
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
    # … but the open session still gets its message saved.
    code, message = client.data(MESSAGE)
    assert code == 250, message
    stopped = time.monotonic()
    assert server.process.wait(timeout=30) == 0
    assert time.monotonic() - stopped < 5  # not the 10 s grace period: the session closed after its 250
    assert len(server.stored("jane@example.com")) == 1
