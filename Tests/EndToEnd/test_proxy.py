"""ObjectMail behind Dovecot 2.3's IMAP proxy (Debian's dovecot-imapd, started here as a non-daemon with
its own configuration and base_dir): the client's address and the proxy's session id reach our logs
through ID (x-originating-ip, x-originating-port, x-session-id) because the proxy is in
login_trusted_networks; a proxy with master credentials logs users in with SASL PLAIN's authzid."""
import imaplib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time

import pytest

from conftest import IMAP_PASSWORD, free_port, wait_for_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


class Dovecot:
    """`dovecot -F -c CONFIG` in a private folder: a proxy that sends every user to 127.0.0.1:backend_port."""

    def __init__(self, backend_port: int):
        # Under /tmp with mode 0755: Dovecot's unprivileged helpers (dovecot, dovenull) must reach base_dir.
        self.root = tempfile.mkdtemp(prefix="objectmail-dovecot-")
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.log = os.path.join(self.root, "dovecot.log")
        users = os.path.join(self.root, "users")
        proxy = f"proxy=y host=127.0.0.1 port={backend_port}"
        with open(users, "w") as file:
            # jane: the proxy checks nothing and forwards the client's password (the backend verifies it);
            # joe: the proxy checks the password, then logs in with master credentials (SASL PLAIN, authzid joe).
            file.write(f"jane@example.com:::::::{proxy} nopassword=y\n")
            file.write(f"joe@example.com:{{PLAIN}}{IMAP_PASSWORD}::::::{proxy} master=proxymaster pass=masterpass\n")
        self.config = os.path.join(self.root, "dovecot.conf")
        with open(self.config, "w") as file:
            file.write(textwrap.dedent(f"""\
                base_dir = {self.root}/run
                state_dir = {self.root}/state
                log_path = {self.log}
                protocols = imap
                listen = 127.0.0.1
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain login
                default_internal_user = dovecot
                default_login_user = dovenull
                service imap-login {{
                  inet_listener imap {{
                    address = 127.0.0.1
                    port = {self.port}
                  }}
                  inet_listener imaps {{
                    port = 0
                  }}
                }}
                passdb {{
                  driver = passwd-file
                  args = {users}
                }}
                userdb {{
                  driver = static
                  args = uid=root gid=root home={self.root}/home
                }}
                """))
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", self.config], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, timeout=30)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        output = self.process.stdout.read().decode(errors="replace")
        log = open(self.log).read() if os.path.exists(self.log) else ""
        shutil.rmtree(self.root, ignore_errors=True)
        return output + log


@pytest.fixture
def dovecot_proxy():
    assert os.access(DOVECOT, os.X_OK), "dovecot is not installed (scripts/lib/install-deps.sh installs dovecot-imapd)"
    proxies = []

    def start(backend_port: int) -> Dovecot:
        proxy = Dovecot(backend_port)
        proxies.append(proxy)
        return proxy
    yield start
    for proxy in proxies:
        proxy.stop()


class FromAddress(imaplib.IMAP4):
    """imaplib from 127.0.0.2, so the client's address differs from the proxy's (127.0.0.1)."""

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=("127.0.0.2", 0))


def test_login_through_dovecot_proxy_shows_the_clients_address(imap_server, dovecot_proxy, tmp_path):
    masters = tmp_path / "masters"
    masters.write_text("proxymaster:{PLAIN}masterpass::::::\n")
    server = imap_server(extra=textwrap.dedent(f"""\
        login_trusted_networks = 127.0.0.1
        auth_master_user_separator = *
        passdb {{
          driver = passwd-file
          args = {masters}
          master = yes
          pass = yes
        }}
        """))
    proxy = dovecot_proxy(server.imap_port)

    client = FromAddress("127.0.0.1", proxy.port, timeout=30)
    client_port = client.sock.getsockname()[1]
    client.login("jane@example.com", IMAP_PASSWORD)
    assert client.append("INBOX", None, None, b"Subject: through the proxy\r\n\r\nhello\r\n")[0] == "OK"
    assert client.select("INBOX") == ("OK", [b"1"])
    typ, data = client.fetch("1", "(BODY[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK" and b"through the proxy" in data[0][1]
    client.logout()

    master_client = FromAddress("127.0.0.1", proxy.port, timeout=30)
    master_client.login("joe@example.com", IMAP_PASSWORD)
    assert master_client.select("INBOX")[0] == "OK"
    master_client.logout()

    wrong = FromAddress("127.0.0.1", proxy.port, timeout=30)
    with pytest.raises(imaplib.IMAP4.error):
        wrong.login("jane@example.com", "not-the-password")
    wrong.logout()

    dovecot_log = proxy.stop()
    assert server.stop() == 0
    log = server.log.read_text()
    login = [line for line in log.splitlines() if "Login: user=<jane@example.com>" in line]
    assert login, log
    # The client's address and port (not the proxy's 127.0.0.1 and its outgoing port) ...
    assert f"rip=127.0.0.2, rport={client_port}" in login[0], login[0]
    # ... and Dovecot's session id, so one session can be followed from the proxy's log into ours.
    sessions = re.findall(r"Started proxying to .*user=<jane@example.com>.*session=<([^>]+)>", dovecot_log)
    assert sessions and f"<{sessions[0]}>" in login[0], (dovecot_log, login[0])
    assert "Login: user=<joe@example.com>" in log and "rip=127.0.0.2" in log.split("Login: user=<joe@example.com>")[1]
    # The failed login counted against the client's address, not the proxy's.
    assert "rip=127.0.0.2" in [line for line in log.splitlines() if "authentication failed" in line][0]


def test_forwarded_address_is_ignored_from_an_untrusted_peer(imap_server):
    server = imap_server()
    sock = socket.create_connection(("127.0.0.1", server.imap_port), timeout=30)
    reader = sock.makefile("rb")
    reader.readline()
    sock.sendall(b'i ID ("x-originating-ip" "192.0.2.9" "x-originating-port" "4242" "x-session-id" "forged")\r\n'
                 b"l LOGIN jane@example.com secret\r\nq LOGOUT\r\n")
    while not reader.readline().startswith(b"q OK"):
        pass
    sock.close()
    assert server.stop() == 0
    log = server.log.read_text()
    assert "rip=127.0.0.1" in log and "192.0.2.9" not in log and "forged" not in log
