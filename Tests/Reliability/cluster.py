"""The processes under test: one SeaweedFS (MinIOTest/seaweedfs.sh, stoppable, killable and restartable on its data
directory) and one `objectmail serve` (LMTP, IMAP, POP3 on free ports; killable with SIGKILL and restartable on
the same configuration, with or without its metacache)."""
import os
import pathlib
import shutil
import signal
import subprocess
import textwrap
import threading
import time

from . import REPO  # noqa: F401  (puts the helpers' folders on sys.path)
from conftest import free_port, passwd_file_databases, start_seaweedfs, stop, stop_seaweedfs, wait_for_port
from servers import memory_of

PASSWORD = "secret"


class SeaweedFS:
    """MinIOTest/seaweedfs.sh's server. `kill()` and `restart()` reuse the exact command line (ports, data
    directory) read from /proc, and keep the script's pid file current so its `stop` still finds the process."""

    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        self.values = start_seaweedfs(directory)
        self.pid = int(self.values["OBJECTMAIL_TEST_S3_PID"])
        self.command = open(f"/proc/{self.pid}/cmdline", "rb").read().rstrip(b"\0").split(b"\0")
        self.s3_port = int(self.values["OBJECTMAIL_TEST_S3_ENDPOINT"].rsplit(":", 1)[1])
        self.process = None  # a restarted server is our child

    @property
    def url(self) -> str:
        return self.values["OBJECTMAIL_TEST_S3_URL"]

    def stall(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
        else:
            while os.path.exists(f"/proc/{self.pid}") and _state(self.pid) not in ("Z", "X", None):
                time.sleep(0.05)

    def restart(self, timeout: float = 120) -> None:
        log = open(self.directory / "weed.log", "ab")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        self.pid = self.process.pid
        (self.directory / "weed.pid").write_text(f"{self.pid}\n")
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        """Until the bucket answers a listing (the S3 gateway needs master, volume and filer)."""
        import boto3
        import botocore.config
        client = boto3.client("s3", endpoint_url=self.values["OBJECTMAIL_TEST_S3_ENDPOINT"], region_name="us-east-1",
                              aws_access_key_id=self.values["OBJECTMAIL_TEST_S3_ACCESS_KEY"],
                              aws_secret_access_key=self.values["OBJECTMAIL_TEST_S3_SECRET_KEY"],
                              config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5))
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.list_objects_v2(Bucket=self.values["OBJECTMAIL_TEST_S3_BUCKET"], MaxKeys=1)
                return
            except Exception as error:  # noqa: BLE001 (any failure means not ready yet)
                if time.monotonic() > deadline:
                    raise AssertionError(f"SeaweedFS not ready {timeout} s after its restart: {error}")
                time.sleep(0.5)

    def close(self) -> None:
        stop_seaweedfs(self.directory)
        if self.process is not None:
            self.process.wait(timeout=30)


def _state(pid: int):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def user_names(count: int) -> list[str]:
    return [f"rel{number}@example.com" for number in range(count)]


class ObjectMail:
    """`objectmail serve` on SeaweedFS with LMTP, IMAP and POP3. `obox_fs` and `obox_index_fs` are built from
    `store_wrapper` (e.g. `randomfail:all=10:`), which goes right above the s3 driver, under the fscache and
    compress layers, so it fails what S3 would fail."""

    def __init__(self, binary: str, root: pathlib.Path, s3_url: str, users: list[str], run_id: str,
                 store_wrapper: str = "", s3_options: str = "", upload_interval: str = "1s", extra: str = ""):
        self.binary, self.root = binary, root
        self.lmtp_port, self.imap_port, self.pop3_port = free_port(), free_port(), free_port()
        self.home = root / "home"
        self.cache = root / "fscache"
        self.log = root / "objectmail.log"
        self.output = root / "objectmail.out"
        (root / "users").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in users))
        url = s3_url.replace("%", "%%")
        if s3_options:
            url += ("&" if "?" in url else "?") + s3_options
        self.config = root / "objectmail.conf"
        self.config.write_text(textwrap.dedent(f"""\
            mail_allow_root = yes
            log_path = {self.log}
            info_log_path = {self.log}
            hostname = reliability.test
            protocols = lmtp imap pop3
            service lmtp {{
              inet_listener lmtp {{
                address = 127.0.0.1
                port = {self.lmtp_port}
              }}
            }}
            service imap-login {{
              inet_listener imap {{
                address = 127.0.0.1
                port = {self.imap_port}
              }}
            }}
            service pop3-login {{
              inet_listener pop3 {{
                address = 127.0.0.1
                port = {self.pop3_port}
              }}
            }}
            mail_home = {self.home}/%u
            mail_location = obox:{run_id}/%u
            mail_max_userip_connections = 100
            lmtp_save_to_detail_mailbox = yes
            lda_mailbox_autocreate = yes
            #DATABASES
            plugin {{
              obox_fs = fscache:256M:{self.cache}:{store_wrapper}s3:{url}
              obox_index_fs = compress:gz:6:{store_wrapper}s3:{url}
              metacache_upload_interval = {upload_interval}
            }}
            """).replace("#DATABASES", passwd_file_databases(root / "users")) + extra)
        self.process = None
        self.starts = 0
        self.start_failures = 0

    def start(self, attempts: int = 5) -> None:
        """Starts the server and waits for its three listeners; a start that fails (an injected store failure at
        start-up may be fatal) is counted and tried again."""
        for attempt in range(attempts):
            with open(self.output, "ab") as output:
                self.process = subprocess.Popen([self.binary, "serve", "-c", str(self.config)], cwd=self.root,
                                                stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                for port in (self.lmtp_port, self.imap_port, self.pop3_port):
                    wait_for_port(port, self.process, timeout=180)
                self.starts += 1
                return
            except AssertionError:
                self.start_failures += 1
                if self.process.poll() is None:
                    self.process.kill()
                    self.process.wait()
                if attempt == attempts - 1:
                    raise
                time.sleep(1)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would end it."""
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def empty_metacache(self) -> None:
        """What a new backend starts with: no user index, no dirty markers, no refused-saves ledger, no fscache."""
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.cache, ignore_errors=True)

    def stop(self) -> int:
        return stop(self.process, timeout=60)

    def rss(self) -> int:
        return memory_of(self.pid)[0] if self.alive() else 0

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for path in (self.log, self.output):
            if path.exists():
                text += f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text


class RSSSampler:
    """The server's RSS every `interval` seconds, across restarts; `peak` is the highest seen."""

    def __init__(self, server: ObjectMail, interval: float = 0.5):
        self.server, self.interval = server, interval
        self.peak = 0
        self.last = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> int:
        self.last = self.server.rss()
        self.peak = max(self.peak, self.last)
        return self.last

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
