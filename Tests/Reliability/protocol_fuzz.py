"""Protocol fuzzing against a running server: worker threads open IMAP (before login, logged in, or with INBOX
selected), POP3 (before or after login) and LMTP connections, send a few structure-aware commands mutated by
fuzz_grammar, read what comes back, then half-close. Checked:

- the process never exits (a crash saves every worker's last input under `<workdir>/fuzz/crash-N/`);
- no hang: each connection greets within the timeout and closes within the timeout after our end of input, and a
  fresh IMAP, POP3 and LMTP connection is served after every 25 fuzzed connections;
- bounded memory: RSS stays under the limit, and a memory probe (3 connections each sending 24 MiB into a
  pre-login LOGIN literal, an APPEND literal and an LMTP DATA, without finishing them) must not grow RSS by more
  than half of what was sent: a server that buffers such input in memory fails (issue 31, item 3)."""
import dataclasses
import random
import smtplib
import socket
import threading
import time

from .cluster import ObjectMail, PASSWORD, RSSSampler
from .fuzz_grammar import imap_command, lmtp_commands, mutate, pop3_command
from .summary import Summary

USERS = ["fuzz0@example.com", "fuzz1@example.com"]
GREETING = {"imap": b"* OK", "pop3": b"+OK", "lmtp": b"220"}


@dataclasses.dataclass
class FuzzOptions:
    binary: str
    seconds: float
    rss_limit_mb: int = 1024
    answer_timeout: float = 30.0
    workers: int = 3
    probe_every: int = 25
    memory_probe_mb: int = 24
    memory_probe_connections: int = 3


class Hang(Exception):
    pass


class Fuzzer:
    def __init__(self, options: FuzzOptions, server: ObjectMail, root, seed: int, log):
        self.options, self.server, self.root, self.seed, self.log = options, server, root, seed, log
        self.lock = threading.Lock()
        self.counts = {"connections": 0, "commands": 0, "silent": 0, "hangs": 0, "probes": 0, "closed_early": 0}
        self.crashes = 0
        self.failures = []
        self.last_inputs: dict[int, bytes] = {}
        self.deadline = time.monotonic() + options.seconds

    def port(self, protocol: str) -> int:
        return {"imap": self.server.imap_port, "pop3": self.server.pop3_port, "lmtp": self.server.lmtp_port}[protocol]

    # ---------------------------------------------------------------------------------------------- one connection

    def connect(self, protocol: str) -> tuple[socket.socket, bytes]:
        sock = socket.create_connection(("127.0.0.1", self.port(protocol)), timeout=self.options.answer_timeout)
        greeting = read_line(sock, self.options.answer_timeout)
        if not greeting.startswith(GREETING[protocol]):
            sock.close()
            raise Hang(f"{protocol} greeting {greeting[:80]!r}")
        return sock, greeting

    def exchange(self, sock, line: bytes, expect: bytes) -> None:
        sock.sendall(line + b"\r\n")
        deadline = time.monotonic() + self.options.answer_timeout
        while time.monotonic() < deadline:
            answer = read_line(sock, deadline - time.monotonic())
            if answer.startswith(expect):
                return
            if not answer:
                raise ConnectionError("closed")
        raise Hang(f"no {expect!r} after {line[:40]!r}")

    def session_input(self, protocol: str, rng: random.Random, sock) -> tuple[bytes, int]:
        """Logs in (or not) and returns the fuzzed input and its number of commands."""
        if protocol == "imap":
            state = rng.choice([None, False, True])  # before login, authenticated, selected
            if state is not None:
                self.exchange(sock, f"l LOGIN {rng.choice(USERS)} {PASSWORD}".encode(), b"l OK")
                if state:
                    self.exchange(sock, b"s SELECT INBOX", b"s OK")
            commands = [imap_command(rng, b"f%d" % number, state) for number in range(rng.randint(1, 8))]
        elif protocol == "pop3":
            if rng.random() < 0.5:
                self.exchange(sock, f"USER {rng.choice(USERS)}".encode(), b"+OK")
                self.exchange(sock, b"PASS " + PASSWORD.encode(), b"+OK")
            commands = [pop3_command(rng) for _ in range(rng.randint(1, 8))]
        else:
            commands = lmtp_commands(rng)
        commands = [mutate(rng, command) if rng.random() < 0.5 else command for command in commands]
        return b"".join(command + b"\r\n" for command in commands), len(commands)

    def one_connection(self, worker: int, rng: random.Random) -> None:
        protocol = rng.choices(["imap", "pop3", "lmtp"], weights=[5, 2, 3])[0]
        sock, _ = self.connect(protocol)
        try:
            data, commands = self.session_input(protocol, rng, sock)
            self.last_inputs[worker] = protocol.encode() + b"\n" + data
            closed = False
            try:
                position = 0
                while position < len(data):
                    size = rng.choice([1, 7, 100, 4096, len(data)])
                    sock.sendall(data[position:position + size])
                    position += size
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            answered = drain(sock, first_wait=2.0, idle=0.3, limit=self.options.answer_timeout)
            if not closed:
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    closed = True
            if not closed and not wait_closed(sock, self.options.answer_timeout):
                raise Hang(f"{protocol} connection still open {self.options.answer_timeout:.0f} s after our end of "
                           f"input; input: {data[:300]!r}")
            with self.lock:
                self.counts["connections"] += 1
                self.counts["commands"] += commands
                self.counts["silent"] += 0 if answered else 1
                self.counts["closed_early"] += 1 if closed else 0
        finally:
            sock.close()

    # ---------------------------------------------------------------------------------------------- liveness

    def probe(self) -> None:
        """A fresh connection of each protocol is served: the server is neither hung nor out of resources."""
        sock, _ = self.connect("imap")
        try:
            self.exchange(sock, b"p CAPABILITY", b"p OK")
        finally:
            sock.close()
        sock, _ = self.connect("pop3")
        try:
            self.exchange(sock, b"CAPA", b".")
        finally:
            sock.close()
        sock, _ = self.connect("lmtp")
        try:
            self.exchange(sock, b"LHLO probe.test", b"250 ")
        finally:
            sock.close()
        with self.lock:
            self.counts["probes"] += 1

    def crashed(self) -> None:
        with self.lock:
            if self.server.alive():
                return
            self.crashes += 1
            folder = self.root / f"crash-{self.crashes}"
            folder.mkdir(parents=True, exist_ok=True)
            for worker, data in self.last_inputs.items():
                (folder / f"worker-{worker}.bin").write_bytes(data)
            self.failures.append(f"server exited with status {self.server.process.returncode}; inputs in {folder}")
            self.log(f"  CRASH: status {self.server.process.returncode}, inputs in {folder}\n{self.server.log_tail()}")
            self.server.start()

    def settle(self) -> bool:
        """After a failed exchange: True when the server exits within the timeout — a crash in progress (the Swift
        runtime's backtracer runs before the process ends, with the listeners already gone) — counted and
        restarted by `crashed`; False when it stays up (then it was a hang)."""
        deadline = time.monotonic() + self.options.answer_timeout
        while time.monotonic() < deadline:
            if not self.server.alive():
                self.crashed()
                return True
            time.sleep(0.2)
        return False

    def hang(self, what: str, error: Exception) -> None:
        if self.settle():
            return
        with self.lock:  # another worker may be restarting a crashed server: wait for it, then ask again
            pass
        try:
            self.probe()
            return  # served now: the failure belonged to a crash another worker handled
        except (Hang, OSError):
            pass
        with self.lock:
            self.counts["hangs"] += 1
            self.failures.append(f"{what}: {error}")
        self.log(f"  HANG ({what}): {error}")

    def checked_probe(self) -> None:
        try:
            self.probe()
        except (Hang, OSError) as error:
            self.hang("liveness probe failed", error)

    def worker(self, number: int) -> None:
        rng = random.Random(self.seed * 100 + number)
        done = 0
        while time.monotonic() < self.deadline:
            try:
                self.one_connection(number, rng)
            except Hang as error:
                self.hang("fuzzed connection", error)
            except (OSError, ConnectionError):
                pass  # refused by a server being restarted, or reset: the crash check decides
            if not self.server.alive():
                self.crashed()
            done += 1
            if done % self.options.probe_every == 0:
                self.checked_probe()

    # ---------------------------------------------------------------------------------------------- memory

    def memory_probe(self, sampler: RSSSampler) -> dict:
        """Unfinished large inputs held open at once; RSS growth against the bytes the server took."""
        size = self.options.memory_probe_mb * 2**20
        chunk = b"x" * 2**20
        time.sleep(1)
        before = sampler.sample()
        sockets, sent, taken = [], 0, set()
        try:
            for _ in range(self.options.memory_probe_connections):
                for kind in ("prelogin", "append", "lmtp"):
                    sock, offer = self.open_large_input(kind, size)
                    sockets.append(sock)
                    if offer:
                        taken.add(kind)
                        for _ in range(size // len(chunk)):
                            sock.sendall(chunk)
                        sent += size
            time.sleep(2)
            during = sampler.sample()
        finally:
            for sock in sockets:
                sock.close()
        time.sleep(5)
        after = sampler.sample()
        growth = max(0, during - before)
        figures = {"memory_probe_sent_mb": sent // 2**20, "memory_probe_growth_mb": growth // 2**20,
                   "memory_after_probe_mb": after // 2**20, "memory_probe_taken": "+".join(sorted(taken)) or "none"}
        if sent and growth > sent / 2 and growth > 64 * 2**20:
            self.failures.append(f"memory probe: RSS grew {growth // 2**20} MB while {sent // 2**20} MB of unfinished "
                                 f"literals and DATA were held open (buffered in memory, not bounded)")
        return figures

    def open_large_input(self, kind: str, size: int) -> tuple[socket.socket, bool]:
        """A connection that announced `size` bytes; True when the server asked for them."""
        if kind == "lmtp":
            sock, _ = self.connect("lmtp")
            for line, expect in ((b"LHLO probe.test", b"250 "), (b"MAIL FROM:<probe@example.org>", b"250"),
                                 (f"RCPT TO:<{USERS[1]}>".encode(), b"250")):
                self.exchange(sock, line, expect)
            sock.sendall(b"DATA\r\n")
            return sock, read_line(sock, self.options.answer_timeout).startswith(b"354")
        sock, _ = self.connect("imap")
        if kind == "prelogin":
            sock.sendall(b"m LOGIN {%d}\r\n" % size)
        else:
            self.exchange(sock, f"l LOGIN {USERS[1]} {PASSWORD}".encode(), b"l OK")
            sock.sendall(b"m APPEND INBOX {%d}\r\n" % size)
        return sock, read_line(sock, self.options.answer_timeout).startswith(b"+")


def read_line(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(max(0.01, timeout))
    line = b""
    while not line.endswith(b"\n"):
        try:
            byte = sock.recv(1)
        except socket.timeout:
            raise Hang(f"no answer within {timeout:.0f} s (got {line[:80]!r})")
        if not byte:
            return line
        line += byte
    return line


def drain(sock: socket.socket, first_wait: float, idle: float, limit: float) -> bool:
    """Reads what the server sends until it is quiet for `idle` s (or `first_wait` s before anything came);
    True when anything came or the server closed."""
    deadline = time.monotonic() + limit
    got = False
    sock.settimeout(first_wait)
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return got
        except OSError:
            return True
        if not data:
            return True
        got = True
        sock.settimeout(idle)
    return got


def wait_closed(sock: socket.socket, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not sock.recv(65536):
                return True
        except socket.timeout:
            return False
        except OSError:
            return True
    return False


def seed_mail(server: ObjectMail) -> None:
    """A few messages per fuzz user, so FETCH, SEARCH, RETR and TOP have something to work on."""
    with smtplib.LMTP("127.0.0.1", server.lmtp_port, timeout=120) as client:
        client.ehlo("fuzz.test")
        for number in range(5):
            message = (f"From: a@example.org\r\nSubject: seed {number}\r\nMessage-ID: <seed{number}@fuzz>\r\n"
                       f"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\npart one\r\n--b\r\n"
                       f"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner\r\n--b--\r\n").encode()
            for user in USERS:  # one recipient a transaction: smtplib reads one reply after DATA
                client.sendmail("a@example.org", [user], message)


def run_fuzz(options: FuzzOptions, seaweed, root, seed: int, log=print) -> Summary:
    summary = Summary(name="fuzz", seed=seed)
    root.mkdir(parents=True, exist_ok=True)
    server = ObjectMail(options.binary, root, seaweed.url, USERS, f"fuzz-{seed}-{time.time_ns() % 10**9}",
                        extra="auth_failure_delay = 0\n")
    started = time.monotonic()
    server.start()
    sampler = RSSSampler(server, interval=0.2)
    fuzzer = Fuzzer(options, server, root, seed, log)
    try:
        seed_mail(server)
        workers = [threading.Thread(target=fuzzer.worker, args=(number,), daemon=True)
                   for number in range(options.workers)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        fuzzer.checked_probe()
        summary.extra.update(fuzzer.memory_probe(sampler))
        if server.alive():
            status = server.stop()
            if status != 0:
                fuzzer.failures.append(f"clean stop after fuzzing exited with status {status}")
        else:
            fuzzer.crashed()
    except (Hang, OSError, AssertionError, smtplib.SMTPException) as error:
        fuzzer.failures.append(f"{type(error).__name__}: {error}")
        log(f"  ABORTED: {error}\n{server.log_tail()}")
    finally:
        sampler.close()
        if server.alive():
            server.kill()
    summary.seconds = time.monotonic() - started
    summary.tries = fuzzer.counts["commands"]
    summary.crashes = fuzzer.crashes
    summary.max_rss = sampler.peak
    summary.extra.update({key: value for key, value in fuzzer.counts.items() if key != "commands"})
    summary.failures = fuzzer.failures
    if sampler.peak > options.rss_limit_mb * 2**20:
        summary.failures.append(f"RSS reached {sampler.peak // 2**20} MB, over the limit of {options.rss_limit_mb} MB")
    if fuzzer.counts["connections"] == 0:
        summary.failures.append("no fuzzed connection completed")
    return summary
