#!/usr/bin/env python3
"""LMTP load generator: N connections deliver messages for a fixed time; prints messages/s and
p50/p99 latency (MAIL FROM sent → final 250 for the message) as one JSON line.

Each connection pipelines MAIL, RCPT and DATA, waits for their replies, then sends the body
(as a PIPELINING client such as Postfix does). Recipients rotate over the given users. Messages are
synthetic SIZE-byte texts, or with --corpus DIR the files of DIR in rotation (bench/suite/corpus.py).
`deliver` (for scripts) delivers a fixed list of (recipient, message) pairs over a few connections."""
import argparse
import asyncio
import json
import pathlib
import statistics
import time


def make_message(size: int, number: int) -> bytes:
    header = (f"From: bench@example.org\r\nTo: user@example.com\r\nSubject: bench {number}\r\n"
              f"Message-ID: <bench-{number}-{time.time_ns()}@example.org>\r\n\r\n").encode()
    line = b"The quick brown fox jumps over the lazy dog 0123456789 abcdefghij\r\n"
    body = line * max(1, (size - len(header)) // len(line))
    return header + body


async def read_reply(reader: asyncio.StreamReader) -> bytes:
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("server closed the connection")
        if line[3:4] != b"-":
            return line


async def open_session(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(host, port)
    await read_reply(reader)
    writer.write(b"LHLO bench.test\r\n")
    await read_reply(reader)
    return reader, writer


async def send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, user: str, message: bytes) -> bytes:
    """One transaction; the final reply to DATA."""
    writer.write(b"MAIL FROM:<bench@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n" % user.encode())
    for expected in (b"250", b"250", b"354"):
        reply = await read_reply(reader)
        if not reply.startswith(expected):
            raise RuntimeError(f"unexpected reply {reply!r}")
    if not message.endswith(b"\r\n"):
        message += b"\r\n"
    writer.write(message.replace(b"\r\n.", b"\r\n..") + b".\r\n")
    return await read_reply(reader)


async def close_session(writer: asyncio.StreamWriter) -> None:
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


async def connection(host: str, port: int, users: list[str], messages, deadline: float, offset: int,
                     latencies: list[float], failures: list[bytes]) -> None:
    reader, writer = await open_session(host, port)
    number = offset
    while time.monotonic() < deadline:
        started = time.monotonic()
        reply = await send(reader, writer, users[number % len(users)], messages(number))
        if reply.startswith(b"250"):
            latencies.append(time.monotonic() - started)
        else:
            failures.append(reply)
        number += 1000003
    await close_session(writer)


async def deliver(port: int, items: list[tuple[str, bytes]], connections: int = 4, host: str = "127.0.0.1") -> None:
    """Delivers every (recipient, message) in order of the list, spread over `connections` sessions."""
    async def worker(index: int):
        reader, writer = await open_session(host, port)
        for user, message in items[index::connections]:
            reply = await send(reader, writer, user, message)
            if not reply.startswith(b"250"):
                raise RuntimeError(f"delivery to {user} failed: {reply!r}")
        await close_session(writer)
    await asyncio.gather(*(worker(index) for index in range(connections)))


async def run(args) -> dict:
    latencies: list[float] = []
    failures: list[bytes] = []
    started = time.monotonic()
    deadline = started + args.seconds
    if args.corpus:
        corpus = [path.read_bytes() for path in sorted(pathlib.Path(args.corpus).iterdir())]
        messages = lambda number: corpus[number % len(corpus)]
    else:
        messages = lambda number: make_message(args.size, number)
    await asyncio.gather(*(connection(args.host, args.port, args.users.split(","), messages, deadline, index,
                                      latencies, failures) for index in range(args.connections)))
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    percentile = lambda p: ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0
    return {"server": args.label, "connections": args.connections, "messages": len(latencies), "failures": len(failures),
            "seconds": round(elapsed, 2), "msgs_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(0.50), 2), "p99_ms": round(percentile(0.99), 2),
            "mean_ms": round(statistics.mean(ordered) * 1000, 2) if ordered else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--size", type=int, default=4096, help="message size in bytes")
    parser.add_argument("--corpus", help="a directory of messages to send in rotation instead of synthetic ones")
    parser.add_argument("--users", default="user1@example.com", help="comma-separated recipients")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
