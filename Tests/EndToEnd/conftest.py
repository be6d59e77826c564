"""Shared fixtures for the end-to-end tests: they drive the real objectmail binary."""
import os
import pathlib
import signal
import socket
import subprocess
import textwrap
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def objectmail_bin() -> str:
    path = os.environ.get("OBJECTMAIL_BIN")
    if not path:
        path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip() + "/objectmail"
    assert os.access(path, os.X_OK), f"objectmail binary not built at {path}"
    return path


@pytest.fixture
def run(objectmail_bin):
    """Runs `objectmail ARGS…` and returns the completed process (never raises on exit status)."""
    def runner(*args, cwd=REPO, timeout=60):
        return subprocess.run([objectmail_bin, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return runner


_handed_out_ports: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now and never handed out before in this run: the kernel may give the same free
    port to two bind(0) calls in a row, and a server whose IMAP and LMTP listeners got one port cannot start."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _handed_out_ports:
            _handed_out_ports.add(port)
            return port


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")[-2000:] if process.stdout else ""
            raise AssertionError(f"server exited with status {process.returncode} before listening on {port}\n{output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def wait_for(predicate, timeout: float = 30.0) -> bool:
    """Polls `predicate` every 0.1 s until it holds (True) or `timeout` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    """SIGTERM, then the exit status (the server must stop by itself within the timeout)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def passwd_file_databases(users) -> str:
    """passdb and userdb blocks reading one passwd-file (for a configuration's top level)."""
    return f"passdb {{\n  driver = passwd-file\n  args = {users}\n}}\nuserdb {{\n  driver = passwd-file\n  args = {users}\n}}"


USERS = ["jane@example.com", "joe@example.com", "ann@example.com"]


class LMTPServer:
    """An `objectmail serve` process on a temporary configuration: passwd-file users, a posix store."""

    def __init__(self, binary: str, root: pathlib.Path, obox_fs: str = "", extra: str = "", plugin: str = ""):
        self.binary = binary
        self.root = root
        self.port = free_port()
        self.objects = root / "objects"
        self.log = root / "objectmail.log"
        users = root / "users"
        users.write_text("".join(f"{user}:{{PLAIN}}secret::::::\n" for user in USERS))
        self.config = root / "objectmail.conf"
        self.config.write_text(textwrap.dedent(f"""\
            log_path = {self.log}
            mail_allow_root = yes
            hostname = lmtp.test
            auth_mechanisms = plain login
            protocols = lmtp
            service lmtp {{
              inet_listener lmtp {{
                address = 127.0.0.1
                port = {self.port}
              }}
            }}
            mail_home = {root}/home/%u
            #DATABASES
            plugin {{
              obox_fs = {obox_fs or f"posix:{self.objects}"}
              obox_index_fs = posix:{self.objects}
            #PLUGIN
            }}
            """).replace("#PLUGIN", plugin).replace("#DATABASES", passwd_file_databases(users)) + extra)
        self.process = subprocess.Popen([binary, "serve", "-c", str(self.config)], cwd=root,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)

    def stop(self) -> int:
        status = stop(self.process)
        self.output = self.process.stdout.read().decode(errors="replace")
        return status

    def read_object(self, path: pathlib.Path) -> bytes:
        """An object's bytes as the store gives them back (`objectmail fs get`: the posix driver
        keeps metadata in the file, so the file itself is not the object)."""
        key = str(path.relative_to(self.objects))
        result = subprocess.run([self.binary, "fs", "get", f"posix:{self.objects}", key], capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def stored(self, user: str) -> list[bytes]:
        """Every mail object of the user, read back from the posix store."""
        paths = sorted(self.objects.glob(f"*/{user}/mailboxes/*/*"))
        return [self.read_object(path) for path in paths if path.is_file()]

    def mailbox_of_objects(self, user: str) -> dict[str, list[bytes]]:
        """Objects grouped by mailbox name (names from the user's index database)."""
        import sqlite3
        database = sqlite3.connect(self.root / "home" / user / "objectmail.index.sqlite")
        names = dict(database.execute("SELECT guid, name FROM mailbox"))
        database.close()
        grouped: dict[str, list[bytes]] = {}
        for path in self.objects.glob(f"*/{user}/mailboxes/*/*"):
            if path.is_file():
                grouped.setdefault(names.get(path.parent.name, path.parent.name), []).append(self.read_object(path))
        return grouped


@pytest.fixture
def lmtp_server(objectmail_bin, tmp_path):
    """Starts servers on request (`lmtp_server(obox_fs=…, extra=…)`); each is stopped and must exit 0."""
    servers = []

    def start(**options) -> LMTPServer:
        root = tmp_path / f"server{len(servers)}"
        root.mkdir()
        server = LMTPServer(objectmail_bin, root, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            status = server.stop()
            assert status == 0, server.output + server.log.read_text(errors="replace")


IMAP_PASSWORD = "secret"


def imap_listener(port: int) -> str:
    """Configuration lines that add IMAP on 127.0.0.1:`port` to an `LMTPServer`."""
    return textwrap.dedent(f"""\
        protocols = lmtp imap
        service imap-login {{
          inet_listener imap {{
            address = 127.0.0.1
            port = {port}
          }}
        }}
        """)


@pytest.fixture
def imap_server(lmtp_server):
    """Starts a server that also serves IMAP (`server.imap_port`); `server.imap(user)` logs in with imaplib."""
    import imaplib

    def start(**options) -> LMTPServer:
        imap_port = free_port()
        extra = imap_listener(imap_port) + options.pop("extra", "")
        server = lmtp_server(extra=extra, **options)
        wait_for_port(imap_port, server.process)
        server.imap_port = imap_port

        def connect(user=None, password=IMAP_PASSWORD):
            client = imaplib.IMAP4("127.0.0.1", imap_port, timeout=60)
            if user:
                client.login(user, password)
            return client
        server.imap = connect
        return server
    return start


def raw_imap(server, user=None):
    """A plain socket after the greeting (logged in when `user` is given), for what imaplib cannot send."""
    sock = socket.create_connection(("127.0.0.1", server.imap_port), timeout=30)
    reader = sock.makefile("rb")
    greeting = reader.readline()
    assert greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 "), greeting
    if user:
        sock.sendall(b"l LOGIN %s %s\r\n" % (user.encode(), IMAP_PASSWORD.encode()))
        assert until_tagged(reader, b"l")[-1].startswith(b"l OK")
    return sock, reader


def until_tagged(reader, tag: bytes) -> list[bytes]:
    """The response lines up to and including the one tagged `tag`."""
    lines = []
    while True:
        line = reader.readline()
        assert line, "connection closed"
        lines.append(line)
        if line.startswith(tag + b" "):
            return lines


def command(sock, reader, tag: bytes, text: bytes) -> list[bytes]:
    """Sends `tag text` on a raw connection and returns the response lines up to the tagged one."""
    sock.sendall(tag + b" " + text + b"\r\n")
    return until_tagged(reader, tag)
@pytest.fixture
def pop3_server(imap_server):
    """Starts a server that serves LMTP, IMAP and POP3 (`server.pop3_port`, `server.imap_port`);
    `server.pop3(user)` logs in with poplib, `server.deliver(user, message)` delivers over LMTP."""
    import poplib
    import smtplib

    def start(**options) -> LMTPServer:
        pop3_port = free_port()
        extra = textwrap.dedent(f"""\
            protocols = lmtp imap pop3
            service pop3-login {{
              inet_listener pop3 {{
                address = 127.0.0.1
                port = {pop3_port}
              }}
            }}
            """) + options.pop("extra", "")
        server = imap_server(extra=extra, **options)
        wait_for_port(pop3_port, server.process)
        server.pop3_port = pop3_port

        def pop3(user=None, password=IMAP_PASSWORD):
            client = poplib.POP3("127.0.0.1", pop3_port, timeout=60)
            if user:
                client.user(user)
                client.pass_(password)
            return client

        def deliver(user, message: bytes):
            with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
                client.ehlo("client.test")
                client.sendmail("sender@example.org", [user], message)

        server.pop3, server.deliver = pop3, deliver
        return server
    return start


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory):
    """A SeaweedFS S3 server for the module (MinIOTest/seaweedfs.sh), or the one named by OBJECTMAIL_TEST_S3_* :
    {"OBJECTMAIL_TEST_S3_URL": …, "OBJECTMAIL_TEST_S3_METRICS_PORT": … (its Prometheus port), …}."""
    if os.environ.get("OBJECTMAIL_TEST_S3_METRICS_PORT"):  # a server started by hand (seaweedfs.sh start)
        yield {key: value for key, value in os.environ.items() if key.startswith("OBJECTMAIL_TEST_S3_")}
        return
    directory = tmp_path_factory.mktemp("seaweedfs")
    values = start_seaweedfs(directory)
    try:
        yield values
    finally:
        stop_seaweedfs(directory)


def start_seaweedfs(directory: pathlib.Path) -> dict[str, str]:
    """Starts MinIOTest/seaweedfs.sh in `directory` (stopped with this process at the latest) and returns its
    OBJECTMAIL_TEST_S3_* values; also used by bench/imap_stress.py."""
    started = subprocess.run(["sh", str(REPO / "MinIOTest/seaweedfs.sh"), "start", str(directory)],
                             capture_output=True, text=True, timeout=180, check=True,
                             env={**os.environ, "SEAWEEDFS_WATCH_PID": str(os.getpid())})
    return {key: value.strip("'") for key, value in
            (line[len("export "):].split("=", 1) for line in started.stdout.splitlines() if line.startswith("export "))}


def stop_seaweedfs(directory: pathlib.Path) -> None:
    subprocess.run(["sh", str(REPO / "MinIOTest/seaweedfs.sh"), "stop", str(directory)], capture_output=True, timeout=60)
