"""TLS end to end: implicit TLS, STARTTLS (IMAP and LMTP), disable_plaintext_auth, the STARTTLS
injection defence, certificate reload on SIGHUP, XCLIENT. Clients are Python's ssl module and openssl."""
import imaplib
import poplib
import shutil
import signal
import socket
import ssl
import subprocess
import textwrap
import time

import pytest

from conftest import IMAP_PASSWORD, REPO, free_port, stop, until_tagged, wait_for_port


def make_certificate(directory, name):
    """A self-signed P-256 certificate for localhost; returns (cert path, key path)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN=localhost/O={name}"],
                   check=True, capture_output=True)
    return cert, key


def client_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def imap_listeners(imap_port, imaps_port, protocols="lmtp imap"):
    """The IMAP service block: a plaintext listener (unless imap_port is None) and an implicit-TLS one."""
    plain = "" if imap_port is None else f"""
          inet_listener imap {{
            address = 127.0.0.1
            port = {imap_port}
          }}"""
    return f"""protocols = {protocols}
        service imap-login {{{plain}
          inet_listener imaps {{
            address = 127.0.0.1
            port = {imaps_port}
            ssl = yes
          }}
        }}
        """.replace("\n        ", "\n")


@pytest.fixture
def tls_server(lmtp_server, tmp_path):
    """A server with IMAP (plain + imaps), LMTP and TLS from certificate files (`server.cert`, `server.key`)."""
    def start(settings: str = "") -> object:
        tls = tmp_path / "tls"
        tls.mkdir(exist_ok=True)
        cert, key = make_certificate(tls, "first")
        imap_port, imaps_port = free_port(), free_port()
        extra = imap_listeners(imap_port, imaps_port) + textwrap.dedent(f"""\
            ssl = yes
            ssl_cert = <{cert}
            ssl_key = <{key}
            """) + settings
        server = lmtp_server(extra=extra)
        wait_for_port(imap_port, server.process)
        wait_for_port(imaps_port, server.process)
        server.imap_port, server.imaps_port, server.cert, server.key = imap_port, imaps_port, cert, key
        return server
    return start


def peer_certificate(port):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with client_context().wrap_socket(raw, server_hostname="localhost") as tls:
            return tls.getpeercert(binary_form=True)


def der_of(path):
    return ssl.PEM_cert_to_DER_cert(path.read_text())


def connect_from(address, port):
    """A plain socket from `address` (127.0.0.2 is not the server's own address: not "local")."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(address, 0))
    return sock, sock.makefile("rb")


def read_reply(reader):
    """One SMTP/LMTP reply: its lines up to the one without a dash."""
    lines = [reader.readline()]
    while lines[-1][3:4] == b"-":
        lines.append(reader.readline())
    return lines


def test_implicit_tls_and_starttls_with_python_ssl(tls_server):
    server = tls_server()
    assert peer_certificate(server.imaps_port) == der_of(server.cert)

    imaps = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port, ssl_context=client_context(), timeout=30)
    assert "STARTTLS" not in imaps.capabilities
    imaps.login("jane@example.com", IMAP_PASSWORD)
    imaps.append("INBOX", None, None, b"Subject: over TLS\r\n\r\nhello\r\n")
    imaps.select("INBOX")
    typ, data = imaps.fetch("1", "(BODY[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK" and b"Subject: over TLS" in data[0][1]
    imaps.logout()

    client = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=30)
    assert "STARTTLS" in client.capabilities
    client.starttls(ssl_context=client_context())
    assert "STARTTLS" not in client.capabilities
    client.login("jane@example.com", IMAP_PASSWORD)
    client.select("INBOX")
    assert client.fetch("1", "(RFC822.SIZE)")[0] == "OK"
    with pytest.raises(imaplib.IMAP4.error):
        client._simple_command("STARTTLS")
    client.logout()
    assert server.stop() == 0
    assert ", TLS" in server.log.read_text()


def test_plaintext_login_refused_from_a_non_local_address(tls_server):
    server = tls_server()
    sock, reader = connect_from("127.0.0.2", server.imap_port)
    greeting = reader.readline()
    assert b"LOGINDISABLED" in greeting and b"STARTTLS" in greeting and b"AUTH=PLAIN" not in greeting
    sock.sendall(b"a LOGIN jane@example.com secret\r\n")
    assert until_tagged(reader, b"a")[-1].startswith(b"a NO [PRIVACYREQUIRED]")
    sock.sendall(b"b AUTHENTICATE PLAIN AGphbmVAZXhhbXBsZS5jb20Ac2VjcmV0\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b NO [PRIVACYREQUIRED]")
    # After STARTTLS the same client may log in.
    sock.sendall(b"c STARTTLS\r\n")
    assert until_tagged(reader, b"c")[-1].startswith(b"c OK")
    tls = client_context().wrap_socket(sock, server_hostname="localhost")
    reader = tls.makefile("rb")
    tls.sendall(b"d CAPABILITY\r\n")
    lines = until_tagged(reader, b"d")
    assert b"LOGINDISABLED" not in lines[0] and b"AUTH=PLAIN" in lines[0] and b"STARTTLS" not in lines[0]
    tls.sendall(b"e LOGIN jane@example.com secret\r\n")
    assert until_tagged(reader, b"e")[-1].startswith(b"e OK")
    tls.close()

    # From the server's own address a password is fine (Dovecot: remote IP == local IP is secured).
    local = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=30)
    assert "LOGINDISABLED" not in local.capabilities
    local.login("jane@example.com", IMAP_PASSWORD)
    local.logout()
    assert server.stop() == 0


def test_trusted_network_and_disable_plaintext_auth_no(tls_server):
    server = tls_server("login_trusted_networks = 127.0.0.2/32\n")
    sock, reader = connect_from("127.0.0.2", server.imap_port)
    assert b"LOGINDISABLED" not in reader.readline()
    sock.sendall(b"a LOGIN jane@example.com secret\r\n")
    assert until_tagged(reader, b"a")[-1].startswith(b"a OK")
    sock.close()
    sock, reader = connect_from("127.0.0.3", server.imap_port)
    assert b"LOGINDISABLED" in reader.readline()
    sock.close()
    assert server.stop() == 0


def test_commands_pipelined_after_starttls_are_never_executed(tls_server):
    server = tls_server()
    # In one segment: the server must not run the injected command (it says BYE and closes).
    sock, reader = connect_from("127.0.0.1", server.imap_port)
    reader.readline()
    sock.sendall(b"a STARTTLS\r\nx LOGIN jane@example.com secret\r\n")
    answer = b"".join(iter(reader.readline, b""))
    assert b"x OK" not in answer and b"a OK" not in answer and b"BYE" in answer
    sock.close()

    # In separate segments, before the client could have seen the OK. Where the second segment lands
    # decides the outcome, and each one is safe: read before the TLS handler is in place, it is dropped
    # and TLS goes ahead; read after, it is the first "TLS record" and the handshake fails.
    sock, reader = connect_from("127.0.0.1", server.imap_port)
    reader.readline()
    sock.sendall(b"a STARTTLS\r\n")
    sock.sendall(b"x CREATE injected\r\ny LOGIN jane@example.com secret\r\n")
    line = reader.readline()
    if line.startswith(b"a OK"):
        try:
            tls = client_context().wrap_socket(sock, server_hostname="localhost")
        except (ssl.SSLError, ConnectionError):
            sock.close()
            tls = None
    if line.startswith(b"a OK") and tls is not None:
        reader = tls.makefile("rb")
        tls.sendall(b"z CAPABILITY\r\n")
        lines = until_tagged(reader, b"z")
        assert not any(entry.startswith((b"x ", b"y ")) for entry in lines), lines
        assert b"AUTH=PLAIN" in lines[0]  # not logged in: the injected LOGIN never ran
        tls.close()
    elif not line.startswith(b"a OK"):
        # The segments arrived together: refused like the first case.
        assert b"a OK" not in line and b"x OK" not in line
        sock.close()
    assert server.stop() == 0
    assert "injected" not in server.log.read_text().split("Logged in")[0]


def test_openssl_s_client_starttls_imap_and_lmtp(tls_server):
    server = tls_server()
    for protocol, port in [("imap", server.imap_port), ("lmtp", server.port)]:
        result = subprocess.run(["openssl", "s_client", "-starttls", protocol, "-connect", f"127.0.0.1:{port}",
                                 "-servername", "localhost"], input="", capture_output=True, text=True, timeout=30)
        assert "BEGIN CERTIFICATE" in result.stdout and "O = first" in result.stdout, (protocol, result.stdout, result.stderr)
        assert "TLSv1.3" in result.stdout
    assert server.stop() == 0


def test_lmtp_starttls_then_delivery(tls_server):
    server = tls_server()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    reader = sock.makefile("rb")
    assert reader.readline().startswith(b"220 ")
    sock.sendall(b"LHLO client.test\r\n")
    capabilities = read_reply(reader)
    assert b"250-STARTTLS\r\n" in capabilities, capabilities
    sock.sendall(b"STARTTLS\r\nLHLO injected.test\r\nMAIL FROM:<injected@example.org>\r\n")
    assert reader.readline().startswith(b"220 2.0.0")
    tls = client_context().wrap_socket(sock, server_hostname="localhost")
    reader = tls.makefile("rb")
    # The pipelined LHLO and MAIL were dropped: a transaction needs LHLO again.
    tls.sendall(b"MAIL FROM:<a@example.org>\r\n")
    assert reader.readline() == b"503 5.5.1 LHLO first\r\n"
    tls.sendall(b"LHLO client.test\r\n")
    lines = read_reply(reader)
    assert not any(b"STARTTLS" in line for line in lines)
    tls.sendall(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<jane@example.com>\r\nDATA\r\n")
    assert [reader.readline()[:3] for _ in range(3)] == [b"250", b"250", b"354"]
    tls.sendall(b"Subject: lmtp over tls\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    assert reader.readline().startswith(b"250 ")
    tls.close()
    assert server.stop() == 0
    assert any(b"Subject: lmtp over tls" in message for message in server.stored("jane@example.com"))


def test_lmtp_xclient_from_a_trusted_network(tls_server):
    server = tls_server("login_trusted_networks = 127.0.0.1\n")
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    reader = sock.makefile("rb")
    reader.readline()
    sock.sendall(b"LHLO proxy.test\r\n")
    lines = read_reply(reader)
    assert any(line.startswith(b"250-XCLIENT ADDR PORT") for line in lines), lines
    sock.sendall(b"XCLIENT ADDR=192.0.2.77 PORT=40123 HELO=mx.client.example\r\n")
    assert reader.readline().startswith(b"220 ")
    sock.sendall(b"LHLO proxy.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<jane@example.com>\r\nDATA\r\n")
    read_reply(reader)
    assert [reader.readline()[:3] for _ in range(3)] == [b"250", b"250", b"354"]
    sock.sendall(b"Subject: via xclient\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    assert reader.readline().startswith(b"250 ")
    sock.close()
    # From an untrusted address XCLIENT is refused.
    other = socket.create_connection(("127.0.0.1", server.port), timeout=30, source_address=("127.0.0.2", 0))
    other_reader = other.makefile("rb")
    other_reader.readline()
    other.sendall(b"XCLIENT ADDR=198.51.100.1\r\n")
    assert other_reader.readline().startswith(b"550 5.7.0")
    other.close()
    assert server.stop() == 0
    stored = [message for message in server.stored("jane@example.com") if b"via xclient" in message]
    assert stored and b"Received: from mx.client.example ([192.0.2.77])" in stored[0]


def test_certificate_reload_on_sighup_keeps_sessions(tls_server, tmp_path):
    server = tls_server()
    assert peer_certificate(server.imaps_port) == der_of(server.cert)
    before = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port, ssl_context=client_context(), timeout=30)
    before.login("jane@example.com", IMAP_PASSWORD)

    second_cert, second_key = make_certificate(tmp_path / "tls", "second")
    shutil.copy(second_cert, server.cert)
    shutil.copy(second_key, server.key)
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while peer_certificate(server.imaps_port) != der_of(second_cert):
        assert time.monotonic() < deadline, "the new certificate is not served after SIGHUP"
        time.sleep(0.2)
    # STARTTLS gets the new certificate too; the session opened before the reload still works.
    result = subprocess.run(["openssl", "s_client", "-starttls", "imap", "-connect", f"127.0.0.1:{server.imap_port}"],
                            input="", capture_output=True, text=True, timeout=30)
    assert "O = second" in result.stdout
    assert before.noop()[0] == "OK"
    before.logout()

    # A broken certificate keeps the current one.
    server.cert.write_text("not a certificate\n")
    server.process.send_signal(signal.SIGHUP)
    time.sleep(1)
    assert peer_certificate(server.imaps_port) == der_of(second_cert)
    assert server.stop() == 0
    log = server.log.read_text()
    assert "SIGHUP: configuration reloaded" in log
    assert "SIGHUP: configuration not reloaded, the running one stays: ssl_cert" in log


def test_tls_listener_without_certificate_is_refused(lmtp_server, tmp_path, objectmail_bin):
    port = free_port()
    config = tmp_path / "bad.conf"
    config.write_text(imap_listeners(None, port, protocols="imap") + textwrap.dedent(f"""\
        passdb {{
          driver = static
          args = password=x
        }}
        userdb {{
          driver = static
          args = home={tmp_path}/%u
        }}
        plugin {{
          obox_fs = posix:{tmp_path}/objects
          obox_index_fs = posix:{tmp_path}/objects
        }}
        """))
    result = subprocess.run([objectmail_bin, "serve", "-c", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ssl = yes needs TLS" in result.stdout + result.stderr


def test_embedded_style_self_signed_certificate_is_generated_once(lmtp_server, tmp_path):
    imaps_port = free_port()
    extra = imap_listeners(None, imaps_port) + f"ssl_self_signed_dir = {tmp_path}/selfsigned\n"
    server = lmtp_server(extra=extra)
    wait_for_port(imaps_port, server.process)
    first = peer_certificate(imaps_port)
    assert first == der_of(tmp_path / "selfsigned" / "objectmail-selfsigned.pem")
    assert (tmp_path / "selfsigned" / "objectmail-selfsigned.key").stat().st_mode & 0o077 == 0
    assert server.stop() == 0
    assert "generated a self-signed TLS certificate" in server.log.read_text()


def test_embedded_default_configuration_serves_tls_out_of_the_box(objectmail_bin, tmp_path):
    """conf/objectmail.conf as shipped (copied, so var/ lands in a temporary folder): imaps on 10993 with a
    certificate generated on first start, STARTTLS on 10143, LOGINDISABLED only for non-local clients."""
    shutil.copytree(REPO / "conf", tmp_path / "conf")
    process = subprocess.Popen([objectmail_bin, "serve"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(10993, process)
        assert peer_certificate(10993) == der_of(tmp_path / "var" / "tls" / "objectmail-selfsigned.pem")
        imaps = imaplib.IMAP4_SSL("127.0.0.1", 10993, ssl_context=client_context(), timeout=30)
        imaps.login("demo@localhost", "demo")
        imaps.logout()
        plain = imaplib.IMAP4("127.0.0.1", 10143, timeout=30)
        assert "STARTTLS" in plain.capabilities and "LOGINDISABLED" not in plain.capabilities
        plain.starttls(ssl_context=client_context())
        plain.login("demo@localhost", "demo")
        plain.logout()
        pop3s = poplib.POP3_SSL("127.0.0.1", 10995, context=client_context(), timeout=30)
        pop3s.user("demo@localhost")
        pop3s.pass_("demo")
        pop3s.quit()
    finally:
        status = stop(process)
    output = process.stdout.read().decode(errors="replace")
    assert status == 0, output
    assert "generated a self-signed TLS certificate for localhost" in output
    assert "listening: imap on 127.0.0.1:10993 (TLS)" in output
    assert "listening: pop3 on 127.0.0.1:10995 (TLS)" in output
