"""IMAP per-command CPU of the objectmail process under a small, fixed command mix (see docs/performance.md).

Starts `objectmail serve` on a posix store (no S3, so only the IMAP/index path is measured), APPENDs MESSAGES
mails into each user's INBOX, then CLIENTS clients (one user each, one command in flight each) repeat this
cycle for SECONDS:
    NOOP, FETCH n (FLAGS), UID FETCH u (BODY.PEEK[HEADER]), UID STORE u +FLAGS (\\Flagged),
    SEARCH FLAGGED, UID STORE u -FLAGS (\\Flagged), FETCH n (UID FLAGS), SELECT INBOX
Prints ops/s and the server's CPU milliseconds per command (utime + stime of its process from /proc).
With --wait the server's pid is printed and the load starts after 3 s, so `perf record -g -p PID` can attach.

usage: python3 bench/imap_command_cpu.py OBJECTMAIL_BIN [--clients 3] [--messages 200] [--seconds 15] [--wait]
"""
import argparse
import os
import pathlib
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Tests" / "EndToEnd"))
from conftest import IMAP_PASSWORD, USERS, LMTPServer, free_port, imap_listener, wait_for_port  # noqa: E402


class Client:
    def __init__(self, port: int, user: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.reader = self.sock.makefile("rb")
        self.reader.readline()
        self.command(b"LOGIN %s %s" % (user.encode(), IMAP_PASSWORD.encode()))

    def command(self, text: bytes, literal: bytes | None = None) -> None:
        if literal is None:
            self.sock.sendall(b"t " + text + b"\r\n")
        else:
            self.sock.sendall(b"t " + text + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        while True:
            line = self.reader.readline()
            assert line, "connection closed"
            if line.endswith(b"}\r\n") and b"{" in line:
                self.reader.read(int(line[line.rindex(b"{") + 1:-3]))
                continue
            if line.startswith(b"t "):
                assert line.startswith(b"t OK"), line
                return


def mail(n: int) -> bytes:
    return (b"From: Sender %d <s%d@example.com>\r\nTo: bench@example.com\r\nSubject: Message %d\r\n"
            b"Message-ID: <%d@bench>\r\nDate: Sun, 22 Nov 2026 08:00:00 +0000\r\n\r\n" % (n, n, n, n)
            + b"Body line of a small benchmark mail.\r\n" * 20)


def cycle(messages: int, step: int) -> list[bytes]:
    n = step % messages + 1
    return [b"NOOP", b"FETCH %d (FLAGS)" % n, b"UID FETCH %d (BODY.PEEK[HEADER])" % n,
            b"UID STORE %d +FLAGS (\\Flagged)" % n, b"SEARCH FLAGGED", b"UID STORE %d -FLAGS (\\Flagged)" % n,
            b"FETCH %d (UID FLAGS)" % n, b"SELECT INBOX"]


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--wait", action="store_true")
    options = parser.parse_args()
    users = USERS[:options.clients]
    assert len(users) == options.clients, f"at most {len(USERS)} clients (one user each)"

    with tempfile.TemporaryDirectory(prefix="objectmail-imap-cpu.") as directory:
        imap_port = free_port()
        server = LMTPServer(options.binary, pathlib.Path(directory), extra=imap_listener(imap_port))
        try:
            wait_for_port(imap_port, server.process)
            clients = [Client(imap_port, user) for user in users]
            for client in clients:
                for n in range(options.messages):
                    client.command(b"APPEND INBOX", mail(n))
                client.command(b"SELECT INBOX")
            if options.wait:
                print(f"server pid {server.process.pid}; load starts in 3 s", flush=True)
                time.sleep(3)
            counts = [0] * len(clients)
            deadline = time.monotonic() + options.seconds

            def drive(index: int) -> None:
                step = 0
                while time.monotonic() < deadline:
                    for text in cycle(options.messages, step):
                        clients[index].command(text)
                        counts[index] += 1
                    step += 1

            threads = [threading.Thread(target=drive, args=(index,)) for index in range(len(clients))]
            cpu_before, started = cpu_seconds(server.process.pid), time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed, cpu = time.monotonic() - started, cpu_seconds(server.process.pid) - cpu_before
            total = sum(counts)
            print(f"clients {len(clients)}, {options.messages} mails each, {elapsed:.1f} s: {total} commands, "
                  f"{total / elapsed:.0f} ops/s, server CPU {cpu:.2f} s = {cpu * 1000 / total:.3f} ms per command")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
