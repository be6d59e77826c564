"""IMAP against a real `objectmail serve`: login, capabilities, errors, logout (imaplib)."""
import base64
import imaplib

import pytest
from conftest import raw_imap, until_tagged


def test_capabilities_before_and_after_login(imap_server):
    server = imap_server()
    client = server.imap()
    assert "AUTH=PLAIN" in client.capabilities and "IDLE" in client.capabilities
    assert "UIDPLUS" not in client.capabilities
    typ, data = client.login("jane@example.com", "secret")
    assert typ == "OK" and b"[CAPABILITY IMAP4rev1" in data[0] and b"UIDPLUS" in data[0] and b"MOVE" in data[0]
    typ, data = client.capability()
    assert typ == "OK" and b"AUTH=PLAIN" not in data[0] and b"NAMESPACE" in data[0]
    assert client.noop()[0] == "OK"
    typ, data = client.namespace()
    assert data == [b'(("" "/")) NIL NIL']
    typ, data = client.logout()
    assert typ == "BYE"
    assert server.stop() == 0
    log = server.log.read_text()
    assert "imap(jane@example.com)<" in log and ": Info: Logged out in=" in log


def test_wrong_password_gives_authenticationfailed(imap_server):
    server = imap_server()
    client = server.imap()
    with pytest.raises(imaplib.IMAP4.error, match=r"\[AUTHENTICATIONFAILED\]"):
        client.login("jane@example.com", "wrong")
    with pytest.raises(imaplib.IMAP4.error, match=r"\[AUTHENTICATIONFAILED\]"):
        client.login("nobody@example.com", "secret")
    client.login("jane@example.com", "secret")
    client.logout()


def test_authenticate_plain_with_and_without_initial_response(imap_server):
    server = imap_server()
    client = server.imap()
    typ, _ = client.authenticate("PLAIN", lambda _: b"\0joe@example.com\0secret")
    assert typ == "OK"
    client.logout()
    sock, reader = raw_imap(server)
    token = base64.b64encode(b"\0ann@example.com\0secret")
    sock.sendall(b"a AUTHENTICATE PLAIN " + token + b"\r\n")
    assert until_tagged(reader, b"a")[-1].startswith(b"a OK [CAPABILITY ")
    sock.sendall(b"b LOGOUT\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b OK")
    sock.close()
    # AUTHENTICATE LOGIN: user name and password in two steps.
    sock, reader = raw_imap(server)
    sock.sendall(b"c AUTHENTICATE LOGIN\r\n")
    assert reader.readline() == b"+ VXNlcm5hbWU6\r\n"
    sock.sendall(base64.b64encode(b"jane@example.com") + b"\r\n")
    assert reader.readline() == b"+ UGFzc3dvcmQ6\r\n"
    sock.sendall(base64.b64encode(b"secret") + b"\r\n")
    assert until_tagged(reader, b"c")[-1].startswith(b"c OK [CAPABILITY ")
    sock.close()


def test_bad_commands_get_bad_and_the_session_goes_on(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server)
    sock.sendall(b"a1 FOO\r\n")
    assert until_tagged(reader, b"a1")[-1].startswith(b"a1 BAD ")
    sock.sendall(b"a2 SELECT INBOX\r\n")
    assert until_tagged(reader, b"a2")[-1].startswith(b"a2 BAD ")  # not logged in
    sock.sendall(b"a3 LOGIN jane@example.com secret\r\n")
    assert until_tagged(reader, b"a3")[-1].startswith(b"a3 OK")
    sock.sendall(b"a4 FETCH 1 FLAGS\r\n")
    assert until_tagged(reader, b"a4")[-1].startswith(b"a4 BAD ")  # nothing selected
    sock.sendall(b"a5 SELECT\r\n")
    assert until_tagged(reader, b"a5")[-1].startswith(b"a5 BAD ")
    sock.sendall(b"a6 SELECT nosuch\r\n")
    assert until_tagged(reader, b"a6")[-1].startswith(b"a6 NO [NONEXISTENT]")
    sock.sendall(b"a8 SELECT INBOX\r\n")
    assert until_tagged(reader, b"a8")[-1].startswith(b"a8 OK [READ-WRITE]")
    sock.sendall(b"a9 FETCH 5 FLAGS\r\n")
    assert until_tagged(reader, b"a9")[-1] == b"a9 BAD Error in IMAP command FETCH: Invalid messageset\r\n"
    sock.sendall(b"a10 UID FETCH 5 FLAGS\r\n")
    assert until_tagged(reader, b"a10") == [b"a10 OK Fetch completed.\r\n"]
    sock.sendall(b"a7 LOGOUT\r\n")
    lines = until_tagged(reader, b"a7")
    assert lines[0].startswith(b"* BYE") and lines[-1].startswith(b"a7 OK")
    sock.close()


def test_many_pipelined_commands_are_answered_in_order(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    sock.sendall(b"".join(b"p%d NOOP\r\n" % number for number in range(500)) + b"s SELECT INBOX\r\n")
    for number in range(500):
        assert reader.readline() == b"p%d OK NOOP completed.\r\n" % number
    assert until_tagged(reader, b"s")[-1].startswith(b"s OK [READ-WRITE]")
    sock.close()


def test_mail_max_userip_connections_is_ten(imap_server):
    server = imap_server()
    sessions = [raw_imap(server, "jane@example.com") for _ in range(10)]
    sock, reader = raw_imap(server)
    sock.sendall(b"x LOGIN jane@example.com secret\r\n")
    assert reader.readline() == (b"* BYE Maximum number of connections from user+IP exceeded "
                                 b"(mail_max_userip_connections=10)\r\n")
    assert reader.readline() == b""
    sock.close()
    first_sock, first_reader = sessions.pop()
    first_sock.sendall(b"o LOGOUT\r\n")
    until_tagged(first_reader, b"o")
    assert first_reader.readline() == b""  # the server closed it, so its count is gone
    sock, reader = raw_imap(server, "jane@example.com")  # asserts the login succeeds
    sock.close()
    for other, _ in sessions:
        other.close()


def test_a_large_literal_before_login_is_refused_like_dovecots_imap_login(imap_server):
    # An anonymous client cannot make the server buffer megabytes: Dovecot's imap-login says BYE at once.
    server = imap_server()
    sock, reader = raw_imap(server)
    sock.sendall(b"a LOGIN {62914560}\r\n")
    assert reader.readline() == b"* BYE Literal size too large\r\n"
    assert reader.readline() == b""
    # A small one is fine, and after login large literals (APPEND) are accepted.
    sock, reader = raw_imap(server)
    sock.sendall(b"a LOGIN {16}\r\n")
    assert reader.readline().startswith(b"+ ")
    sock.sendall(b"jane@example.com secret\r\n")
    assert until_tagged(reader, b"a")[-1].startswith(b"a OK")
    sock.sendall(b"b APPEND INBOX {100000}\r\n")
    assert reader.readline().startswith(b"+ ")
    sock.sendall(b"Subject: big\r\n\r\n" + b"x" * (100000 - 16) + b"\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b OK")
