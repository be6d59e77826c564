"""`service auth { unix_listener … }`: Dovecot's authentication client protocol, so Postfix's
`smtpd_sasl_type = dovecot` checks SMTP AUTH against the same users (seed 001 configures exactly this)."""
import base64
import os
import pathlib
import shutil
import smtplib
import socket
import tempfile
import time

import pytest

from conftest import free_port
from test_postfix import Postfix


def auth_listener(path, mode="0666") -> str:
    return f"service auth {{\n  unix_listener {path} {{\n    mode = {mode}\n  }}\n  unix_listener auth-userdb {{\n    mode = 0600\n  }}\n}}\n"


class AuthClient:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(str(path))
        self.reader = self.sock.makefile("rb")
        self.handshake = []
        while True:
            line = self.reader.readline().decode().rstrip("\n")
            assert line, "closed during the handshake"
            self.handshake.append(line)
            if line == "DONE":
                break
        self.sock.sendall(b"VERSION\t1\t2\nCPID\t4242\n")

    def send(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\n")
        return self.reader.readline().decode().rstrip("\n")


def plain(user, password):
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def wait_for_socket(path, timeout=30):
    deadline = time.monotonic() + timeout
    while not pathlib.Path(path).exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_auth_client_protocol(lmtp_server):
    server = lmtp_server(extra="ssl = no\n" + "auth_mechanisms = plain login\n" + auth_listener("auth-client-test"))
    path = server.root / "auth-client-test"
    wait_for_socket(path)
    client = AuthClient(path)
    assert client.handshake[0] == "MECH\tPLAIN\tplaintext" and "MECH\tLOGIN\tplaintext" in client.handshake
    assert "VERSION\t1\t2" in client.handshake and any(line.startswith("COOKIE\t") for line in client.handshake)

    local = "lip=127.0.0.1\trip=127.0.0.1"
    assert client.send(f"AUTH\t1\tPLAIN\tservice=smtp\tnologin\t{local}\tresp={plain('jane@example.com', 'secret')}") \
        == "OK\t1\tuser=jane@example.com"
    assert client.send(f"AUTH\t2\tPLAIN\tservice=smtp\t{local}\tresp={plain('jane@example.com', 'wrong')}") \
        == "FAIL\t2\tuser=jane@example.com"
    # LOGIN: two challenges answered with CONT.
    assert client.send(f"AUTH\t3\tLOGIN\tservice=smtp\t{local}") == "CONT\t3\tVXNlcm5hbWU6"
    assert client.send("CONT\t3\t" + base64.b64encode(b"joe@example.com").decode()) == "CONT\t3\tUGFzc3dvcmQ6"
    assert client.send("CONT\t3\t" + base64.b64encode(b"secret").decode()) == "OK\t3\tuser=joe@example.com"
    assert client.send(f"AUTH\t4\tCRAM-MD5\tservice=smtp\t{local}").startswith("FAIL\t4\treason=Unsupported")
    # A remote client that is neither on TLS nor trusted may not send a plaintext password (disable_plaintext_auth).
    remote = "lip=192.0.2.1\trip=198.51.100.7"
    assert client.send(f"AUTH\t5\tPLAIN\tservice=smtp\t{remote}\tresp={plain('jane@example.com', 'secret')}") \
        .startswith("FAIL\t5\treason=Plaintext authentication disabled")
    assert client.send(f"AUTH\t6\tPLAIN\tservice=smtp\t{remote}\tsecured\tresp={plain('jane@example.com', 'secret')}") \
        == "OK\t6\tuser=jane@example.com"
    client.sock.close()
    log = server.log.read_text()
    assert "auth failed: user=<jane@example.com>, method=PLAIN, rip=127.0.0.1" in log
    assert "unix_listener auth-userdb is not opened" in log
    # Debian's stock fail2ban filter bans the address of SMTP AUTH failures too.
    import subprocess
    result = subprocess.run(["fail2ban-regex", str(server.log), "/etc/fail2ban/filter.d/dovecot.conf"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "1 matched" in result.stdout, result.stdout + result.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("postfix"), reason="Postfix's master must start as root")
def test_postfix_smtp_auth_through_the_auth_socket(lmtp_server):
    # The socket must be reachable by user postfix: not under pytest's 0700 tmp.
    directory = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-auth-"))
    directory.chmod(0o755)
    path = directory / "auth"
    try:
        server = lmtp_server(extra="ssl = no\n" + f"service auth {{\n  unix_listener {path} {{\n    mode = 0660\n"
                                                  f"    user = postfix\n    group = postfix\n  }}\n}}\n")
        wait_for_socket(path)
        port = free_port()
        postfix = Postfix(f"lmtp:inet:127.0.0.1:{server.port}",
                          master_lines=f"127.0.0.1:{port} inet n - n - - smtpd\n",
                          main_lines=f"smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = {path}\n")
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
                    break
                except OSError:
                    assert time.monotonic() < deadline, postfix.log_text()[-2000:]
                    time.sleep(0.2)
            smtp.ehlo("client.test")
            assert "PLAIN" in smtp.esmtp_features.get("auth", ""), (smtp.esmtp_features, postfix.log_text()[-2000:])
            with pytest.raises(smtplib.SMTPAuthenticationError):
                smtp.login("jane@example.com", "wrong")
            smtp.quit()
            smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
            smtp.ehlo("client.test")
            code, _ = smtp.login("jane@example.com", "secret")
            assert code == 235
            smtp.quit()
        finally:
            postfix.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
