"""Bounded memory (issue 31, item 3), scaled down: large APPENDs and LMTP deliveries are received into
`mail_temp_dir` and uploaded from there, so the server's memory grows by far less than the mail it receives;
what is too big is refused before its body is read; spool files never outlive their save."""
import hashlib
import os
import pathlib
import smtplib
import socket
import threading
import time

from conftest import IMAP_PASSWORD, raw_imap, until_tagged

MIB = 1024 * 1024


def status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon, RssFile … of a process, in KiB."""
    values = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            values[name] = int(rest.split()[0])
    return values


class Sampler:
    """Polls the server's memory while a test runs: the peak of RssAnon (heap, the part that is ours to bound)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.base = status(pid)
        self.peak_anon = self.base["RssAnon"]
        self.peak_rss = self.base["VmRSS"]
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            now = status(self.pid)
            self.peak_anon = max(self.peak_anon, now["RssAnon"])
            self.peak_rss = max(self.peak_rss, now["VmRSS"])
            time.sleep(0.01)

    def stop(self) -> dict[str, float]:
        self.running = False
        self.thread.join()
        end = status(self.pid)
        figures = {"base_rss_mib": self.base["VmRSS"] / 1024, "peak_rss_mib": self.peak_rss / 1024,
                   "base_anon_mib": self.base["RssAnon"] / 1024, "peak_anon_mib": self.peak_anon / 1024,
                   "end_rss_mib": end["VmRSS"] / 1024, "hwm_mib": end["VmHWM"] / 1024}
        print("memory:", {key: round(value, 1) for key, value in figures.items()})
        return figures


def spool_files(pid: int) -> list[str]:
    """Spool files the server still has open (they are unlinked, so only /proc shows them)."""
    found = []
    for fd in pathlib.Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if "objectmail-spool" in target:
            found.append(target)
    return found


def large_message(seed: int, size: int) -> bytes:
    """A mail of `size` bytes: a header, then 76-character lines of a pseudo-random text (no lone dots)."""
    header = (f"From: sender{seed}@example.org\r\nTo: jane@example.com\r\nSubject: large {seed}\r\n"
              f"Message-ID: <large-{seed}@example.org>\r\nContent-Type: text/plain\r\n\r\n").encode()
    line_count = (size - len(header)) // 78
    block = hashlib.sha256(str(seed).encode()).hexdigest().encode() * 40
    lines = [block[(i * 7) % 1000:(i * 7) % 1000 + 76] + b"\r\n" for i in range(line_count)]
    body = header + b"".join(lines)
    return body + b"x" * (size - len(body) - 2) + b"\r\n"


def spooling_server(imap_server, tmp_path, obox_fs="", plugin=""):
    spool = tmp_path / "spool"
    spool.mkdir()
    server = imap_server(obox_fs=obox_fs, extra=f"mail_temp_dir = {spool}\n", plugin=plugin)
    server.spool = spool
    return server


def append_raw(server, user: str, message: bytes, results: list, index: int):
    sock, reader = raw_imap(server, user)
    try:
        sock.sendall(b"a APPEND INBOX {%d}\r\n" % len(message))
        line = reader.readline()
        assert line.startswith(b"+"), line
        view = memoryview(message)
        for offset in range(0, len(message), MIB):
            sock.sendall(view[offset:offset + MIB])
        sock.sendall(b"\r\n")
        results[index] = until_tagged(reader, b"a")[-1]
    finally:
        sock.close()


def fetch_bodies(server, user: str) -> list[bytes]:
    client = server.imap(user)
    client.select("INBOX", readonly=True)
    _, data = client.fetch("1:*", "(BODY.PEEK[])")
    client.logout()
    return [item[1] for item in data if isinstance(item, tuple)]


def test_unauthenticated_large_login_literals_are_refused_without_memory_growth(imap_server, tmp_path):
    server = imap_server()
    before = status(server.process.pid)["VmRSS"]
    connections = []
    for _ in range(10):
        sock = socket.create_connection(("127.0.0.1", server.imap_port), timeout=30)
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"* OK")
        sock.sendall(b"a LOGIN {62914560}\r\n")
        # Refused at once, like Dovecot's imap-login: no "+", the connection ends.
        assert reader.readline().startswith(b"* BYE Literal size too large")
        try:
            sock.sendall(b"x" * MIB)
        except OSError:
            pass
        connections.append(sock)
    time.sleep(0.5)
    grown = status(server.process.pid)["VmRSS"] - before
    for sock in connections:
        sock.close()
    assert grown < 16 * 1024, f"VmRSS grew by {grown} KiB"


def test_parallel_30_mib_appends_on_s3_go_through_the_spool(imap_server, seaweed, tmp_path):
    server = spooling_server(imap_server, tmp_path, obox_fs="s3:" + seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%"))
    user = "jane@example.com"
    server.imap(user).logout()
    messages = [large_message(seed, 30 * MIB) for seed in range(4)]
    sampler = Sampler(server.process.pid)
    results = [None] * 4
    threads = [threading.Thread(target=append_raw, args=(server, user, messages[i], results, i)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = sampler.stop()
    assert all(result and result.startswith(b"a OK") for result in results), results
    # 120 MiB received: the heap grows by a few MiB per connection (socket reads queued for the session), not 30.
    assert figures["peak_anon_mib"] - figures["base_anon_mib"] < 48, figures
    assert sorted(fetch_bodies(server, user)) == sorted(messages)
    assert list(server.spool.iterdir()) == []
    assert spool_files(server.process.pid) == []


def test_parallel_30_mib_lmtp_deliveries_on_s3_go_through_the_spool(imap_server, seaweed, tmp_path):
    server = spooling_server(imap_server, tmp_path, obox_fs="s3:" + seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%"))
    users = ["jane@example.com", "joe@example.com", "ann@example.com", "jane@example.com"]
    messages = [large_message(10 + seed, 30 * MIB) for seed in range(4)]
    sampler = Sampler(server.process.pid)
    errors = []

    def deliver(index):
        try:
            with smtplib.LMTP("127.0.0.1", server.port, timeout=300) as client:
                client.ehlo("client.test")
                refused = client.sendmail("sender@example.org", [users[index]], messages[index])
                assert refused == {}, refused
        except Exception as error:  # reported below: a thread's assert would be lost
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures = sampler.stop()
    assert errors == []
    assert figures["peak_anon_mib"] - figures["base_anon_mib"] < 48, figures
    for user in set(users):
        stored = fetch_bodies(server, user)
        expected = [messages[i] for i in range(4) if users[i] == user]
        assert len(stored) == len(expected)
        for body in expected:
            # Each copy starts with the delivery's own Return-Path/Delivered-To/Received lines.
            assert sum(1 for copy in stored if copy.endswith(body) and copy.startswith(b"Return-Path: ")) == 1
    assert list(server.spool.iterdir()) == []
    assert spool_files(server.process.pid) == []


def test_too_big_is_refused_before_the_body(imap_server, tmp_path):
    server = spooling_server(imap_server, tmp_path, plugin="quota_max_mail_size = 1M\n")
    sock, reader = raw_imap(server, "jane@example.com")
    # Synchronizing: refused without "+", and the connection goes on.
    sock.sendall(b"a APPEND INBOX {5000000}\r\n")
    line = reader.readline()
    assert line.startswith(b"a NO [TOOBIG]"), line
    sock.sendall(b"b NOOP\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b OK")
    # LITERAL+: the client sends the bytes anyway; they are read and dropped, nothing is stored.
    sock.sendall(b"c APPEND INBOX {3000000+}\r\n" + b"y" * 3000000 + b"\r\nd NOOP\r\n")
    assert until_tagged(reader, b"c")[-1].startswith(b"c NO [TOOBIG]")
    assert until_tagged(reader, b"d")[-1].startswith(b"d OK")
    sock.close()
    client = server.imap("jane@example.com")
    assert client.status("INBOX", "(MESSAGES)")[1][0].endswith(b"(MESSAGES 0)")
    client.logout()

    lmtp = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    replies = lmtp.makefile("rb")
    assert replies.readline().startswith(b"220")
    lmtp.sendall(b"LHLO client.test\r\n")
    while not replies.readline().startswith(b"250 "):
        pass
    lmtp.sendall(b"MAIL FROM:<a@example.org> SIZE=5000000\r\n")
    assert replies.readline().startswith(b"552 5.3.4")
    lmtp.sendall(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<jane@example.com>\r\nBDAT 4294967295 LAST\r\n")
    assert replies.readline().startswith(b"250")
    assert replies.readline().startswith(b"250")
    started = time.monotonic()
    assert replies.readline().startswith(b"552 5.3.4")
    assert time.monotonic() - started < 5
    lmtp.close()


def wait_until_released(server) -> list[str]:
    deadline = time.monotonic() + 10
    while spool_files(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return spool_files(server.process.pid)


def test_a_dropped_connection_leaves_no_spool_file(imap_server, tmp_path):
    server = spooling_server(imap_server, tmp_path)
    sock, reader = raw_imap(server, "jane@example.com")
    sock.sendall(b"a APPEND INBOX {20000000}\r\n")
    assert reader.readline().startswith(b"+")
    sock.sendall(b"z" * (5 * MIB))
    deadline = time.monotonic() + 10
    while not spool_files(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    # While the literal arrives the file is open, yet already gone from the directory.
    assert len(spool_files(server.process.pid)) == 1
    assert list(server.spool.iterdir()) == []
    reader.close()  # the makefile holds the socket open too
    sock.close()
    assert wait_until_released(server) == []

    lmtp = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    replies = lmtp.makefile("rb")
    assert replies.readline().startswith(b"220")
    lmtp.sendall(b"LHLO client.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<jane@example.com>\r\nDATA\r\n")
    while not replies.readline().startswith(b"354"):
        pass
    lmtp.sendall(b"Subject: cut\r\n\r\n" + b"line of text\r\n" * 400_000)
    deadline = time.monotonic() + 10
    while not spool_files(server.process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(spool_files(server.process.pid)) == 1
    replies.close()
    lmtp.close()
    assert wait_until_released(server) == []
    assert list(server.spool.iterdir()) == []


def test_an_append_over_quota_is_refused_before_the_body(imap_server, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    server = imap_server(plugin="  quota = count:User quota\n  quota_rule = *:storage=1M\n",
                         extra=f"mail_plugins = quota imap_quota\nmail_temp_dir = {spool}\n")
    sock, reader = raw_imap(server, "jane@example.com")
    # 3 MB into a 1 MB quota: answered before "+", so the client never sends the body.
    sock.sendall(b"a APPEND INBOX {3000000}\r\n")
    line = reader.readline()
    assert line.startswith(b"a NO [OVERQUOTA]"), line
    sock.sendall(b"b NOOP\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b OK")
    # A large message that fits is still taken.
    message = large_message(99, 600_000)
    sock.sendall(b"c APPEND INBOX {%d}\r\n" % len(message))
    assert reader.readline().startswith(b"+")
    sock.sendall(message + b"\r\n")
    assert until_tagged(reader, b"c")[-1].startswith(b"c OK")
    reader.close()
    sock.close()
    assert fetch_bodies(server, "jane@example.com") == [message]
