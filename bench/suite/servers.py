"""The servers under test, each on free loopback ports with its own directory: ObjectMail (on SeaweedFS
through its s3 driver, or on a posix folder) and Dovecot 2.3 (Maildir, passwd-file users, ssl = no),
plus SeaweedFS's own request counters and process memory figures."""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import urllib.request

# The end-to-end tests' helpers for free loopback ports and waiting for a listener (imports pytest).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "Tests" / "EndToEnd"))
from conftest import free_port, wait_for_port  # noqa: E402

PASSWORD = "secret"


def write_users(path: pathlib.Path, users: list[str]) -> None:
    path.write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in users))


class S3Counter:
    """SeaweedFS's Prometheus counter `SeaweedFS_s3_request_total{type=…}`: every request its S3 gateway
    answered, by type (the store's side; `ObjectMailS3Counter` is ObjectMail's own count).
    SeaweedFS files HEAD under GET, so "GET" here is GET + HEAD."""
    family, label = "SeaweedFS_s3_request_total", "type"

    def __init__(self, metrics_port: int):
        self.url = f"http://127.0.0.1:{metrics_port}/metrics"

    def snapshot(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        text = urllib.request.urlopen(self.url, timeout=10).read().decode()
        for match in re.finditer(rf'^{self.family}\{{([^}}]*)\}} (\S+)$', text, re.M):
            kind = re.search(rf'{self.label}="([^"]+)"', match.group(1))
            if kind:
                counts[kind.group(1)] = counts.get(kind.group(1), 0) + int(float(match.group(2)))
        return counts

    @staticmethod
    def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
        return {kind: after.get(kind, 0) - before.get(kind, 0) for kind in sorted(after)
                if after.get(kind, 0) != before.get(kind, 0)}


class ObjectMailS3Counter(S3Counter):
    """ObjectMail's own `objectmail_s3_requests_total{operation=…}` from its stats listener (docs/metrics.md),
    retries included, by operation (PUT GET HEAD DELETE DeleteObjects COPY LIST). Restarts at zero with the server."""
    family, label = "objectmail_s3_requests_total", "operation"


def memory_of(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes (PSS shares the pages shared with other processes out fairly)."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return rss, pss


def cpu_seconds(pid: int, with_reaped_children: bool = False) -> float:
    """User + system CPU time of a process (all its threads), optionally with its children that exited."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if with_reaped_children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return found


def command_name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except FileNotFoundError:
        return ""


class Server:
    name = ""
    process: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def wait_ready(self) -> None:
        for port in (self.lmtp_port, self.imap_port):
            wait_for_port(port, self.process)


class ObjectMail(Server):
    """`objectmail serve` with LMTP and IMAP. `store` is "s3" (mail objects through a 2 GB fscache (room for the whole benchmark mail set, as a hot cache) into
    SeaweedFS, index bundles gzip'ed into the same bucket: the layout of conf/examples/s3.conf) or "posix"."""

    def __init__(self, binary: str, root: pathlib.Path, users: list[str], s3_url: str = "", name: str = "objectmail"):
        self.binary, self.root, self.name, self.s3_url = binary, root, name, s3_url
        root.mkdir(parents=True, exist_ok=True)
        self.lmtp_port, self.imap_port, self.stats_port = free_port(), free_port(), free_port()
        self.own_s3 = ObjectMailS3Counter(self.stats_port)
        write_users(root / "users", users)
        self.log = root / "objectmail.log"

    def home(self, user: str) -> pathlib.Path:
        return self.root / "home" / user

    def fscache(self) -> pathlib.Path:
        return self.root / "fscache"

    def start(self, s3_url: str | None = None, prefetch: int | None = None, fscache: bool = True) -> None:
        url = (s3_url or self.s3_url).replace("%", "%%")  # pipeline values go through %-expansion
        if url:
            mail_fs = f"fscache:2G:{self.fscache()}:s3:{url}" if fscache else f"s3:{url}"
            index_fs = f"compress:gz:6:s3:{url}"
        else:
            mail_fs, index_fs = f"posix:{self.root}/objects", f"compress:gz:6:posix:{self.root}/objects"
        (self.root / "objectmail.conf").write_text(f"""\
mail_allow_root = yes
log_path = {self.log}
protocols = lmtp imap
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
service stats {{
  inet_listener http {{
    address = 127.0.0.1
    port = {self.stats_port}
  }}
}}
mail_home = {self.root}/home/%u
passdb {{
  driver = passwd-file
  args = {self.root}/users
}}
userdb {{
  driver = passwd-file
  args = {self.root}/users
}}
{f"mail_prefetch_count = {prefetch}" if prefetch is not None else ""}
plugin {{
  obox_fs = {mail_fs}
  obox_index_fs = {index_fs}
}}
""")
        self.output = open(self.root / "objectmail.out", "ab")
        self.process = subprocess.Popen([self.binary, "serve", "-c", str(self.root / "objectmail.conf")], cwd=self.root,
                                        stdout=self.output, stderr=subprocess.STDOUT)
        self.wait_ready()

    def memory(self) -> tuple[int, int]:
        return memory_of(self.process.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def forget_user(self, user: str) -> None:
        """Wipes the user's metacache and the whole fscache (call while stopped): a cold user."""
        shutil.rmtree(self.home(user), ignore_errors=True)
        shutil.rmtree(self.fscache(), ignore_errors=True)


class Dovecot(Server):
    """Dovecot 2.3 from Debian run by root in the foreground (-F) with its own configuration, base_dir and
    ports: Maildir under ROOT/mail, passwd-file passdb, static userdb (nobody), ssl = no. Login processes
    in Dovecot's documented high-performance mode (service_count = 0), the way large sites run them."""

    name = "dovecot"

    def __init__(self, root: pathlib.Path, users: list[str]):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        (root / "mail").mkdir(exist_ok=True)
        os.chmod(root / "mail", 0o777)
        self.lmtp_port, self.imap_port = free_port(), free_port()
        write_users(root / "users", users)
        self.config = root / "dovecot.conf"
        self.config.write_text(f"""\
base_dir = {root}/run
state_dir = {root}/state
instance_name = objectmail-bench-{self.imap_port}
log_path = {root}/dovecot.log
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
listen = 127.0.0.1
mail_location = maildir:{root}/mail/%u/Maildir
default_process_limit = 2000
default_client_limit = 20000
default_vsz_limit = 1G
mail_max_userip_connections = 20
passdb {{
  driver = passwd-file
  args = {root}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  service_count = 0
  process_min_avail = 2
  client_limit = 2000
}}
service imap {{
  process_limit = 2000
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {self.lmtp_port}
  }}
}}
""")

    def version(self) -> str:
        return subprocess.run(["dovecot", "--version"], capture_output=True, text=True).stdout.split()[0]

    def start(self) -> None:
        self.output = open(self.root / "dovecot.out", "ab")
        self.process = subprocess.Popen(["dovecot", "-F", "-c", str(self.config)], stdout=self.output,
                                        stderr=subprocess.STDOUT)
        self.wait_ready()

    def cpu_seconds(self) -> float:
        """The whole instance: the master, the children it reaped, and the children alive now."""
        master = self.process.pid
        return cpu_seconds(master, with_reaped_children=True) + sum(
            cpu_seconds(pid, with_reaped_children=True) for pid in children(master))

    def imap_processes(self) -> list[int]:
        return [pid for pid in children(self.process.pid) if command_name(pid) == "imap"]

    def memory(self) -> tuple[int, int]:
        """Summed over the per-connection `imap` processes (master, auth, login, anvil … are excluded:
        their memory does not grow with idle connections)."""
        rss = pss = 0
        for pid in self.imap_processes():
            r, p = memory_of(pid)
            rss, pss = rss + r, pss + p
        return rss, pss

    def forget_user(self, user: str) -> None:
        """Deletes the user's Dovecot index files (dovecot.index*, not the uidlist): a cold user."""
        for path in (self.root / "mail" / user / "Maildir").glob("dovecot.index*"):
            path.unlink()
