"""POP3 and TLS: STLS (RFC 2595) with poplib, the plaintext-login rule of disable_plaintext_auth as
Dovecot's pop3-login applies it, and the STLS injection defence (CVE-2011-0411)."""
import poplib
import textwrap

from conftest import IMAP_PASSWORD, free_port, wait_for_port
from test_tls import client_context, connect_from, make_certificate


def start_pop3_tls(pop3_server, tmp_path, settings=""):
    tls = tmp_path / "tls"
    tls.mkdir(exist_ok=True)
    cert, key = make_certificate(tls, "pop3")
    server = pop3_server(extra=textwrap.dedent(f"""\
        ssl = yes
        ssl_cert = <{cert}
        ssl_key = <{key}
        """) + settings)
    return server


def capabilities(reader, sock):
    sock.sendall(b"CAPA\r\n")
    lines = [reader.readline()]
    assert lines[0].startswith(b"+OK"), lines
    while lines[-1] != b".\r\n":
        lines.append(reader.readline())
    return [line.rstrip(b"\r\n") for line in lines[1:-1]]


def test_stls_with_poplib(pop3_server, tmp_path):
    server = start_pop3_tls(pop3_server, tmp_path)
    server.deliver("jane@example.com", b"Subject: over STLS\r\n\r\nhello\r\n")
    client = poplib.POP3("127.0.0.1", server.pop3_port, timeout=30)
    assert "STLS" in client.capa()
    client.stls(context=client_context())
    assert "STLS" not in client.capa()
    client.user("jane@example.com")
    client.pass_(IMAP_PASSWORD)
    assert client.stat()[0] == 1
    assert b"Subject: over STLS" in b"\r\n".join(client.retr(1)[1])
    client.quit()
    assert server.stop() == 0
    assert "method=PLAIN" in server.log.read_text() and ", TLS" in server.log.read_text()


def test_plaintext_refused_from_a_non_local_address_until_stls(pop3_server, tmp_path):
    server = start_pop3_tls(pop3_server, tmp_path)
    sock, reader = connect_from("127.0.0.2", server.pop3_port)
    assert reader.readline().startswith(b"+OK")
    capa = capabilities(reader, sock)
    assert b"STLS" in capa and b"USER" not in capa and b"SASL" in capa and b"SASL PLAIN LOGIN" not in capa
    for command in (b"USER jane@example.com", b"AUTH PLAIN AGphbmVAZXhhbXBsZS5jb20Ac2VjcmV0"):
        sock.sendall(command + b"\r\n")
        assert reader.readline().startswith(b"-ERR [AUTH] Plaintext authentication disallowed")
    # A command pipelined behind STLS in clear text is dropped, never run after the handshake.
    sock.sendall(b"STLS\r\nUSER injected@example.com\r\n")
    assert reader.readline().startswith(b"+OK Begin TLS")
    tls = client_context().wrap_socket(sock, server_hostname="localhost")
    reader = tls.makefile("rb")
    capa = capabilities(reader, tls)
    assert b"STLS" not in capa and b"USER" in capa and b"SASL PLAIN LOGIN" in capa
    tls.sendall(b"PASS secret\r\n")
    assert reader.readline().startswith(b"-ERR"), "PASS must not follow the injected USER"
    tls.sendall(b"USER jane@example.com\r\nPASS secret\r\n")
    assert reader.readline().startswith(b"+OK")
    assert reader.readline().startswith(b"+OK Logged in")
    tls.sendall(b"QUIT\r\n")
    assert reader.readline().startswith(b"+OK")
    tls.close()
    assert server.stop() == 0
    assert "injected" not in server.log.read_text()
