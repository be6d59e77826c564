#!/usr/bin/env python3
"""LMTP load generator: N connections deliver messages for a fixed time; prints messages/s and
p50/p99 latency (MAIL FROM sent → final 250 for the message) as one JSON line.

Each connection pipelines MAIL, RCPT and DATA, waits for their replies, then sends the body
(as a PIPELINING client such as Postfix does). Recipients rotate over the given users."""
import argparse
import asyncio
import json
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


async def connection(host: str, port: int, users: list[str], size: int, deadline: float, offset: int,
                     latencies: list[float], failures: list[bytes]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    await read_reply(reader)
    writer.write(b"LHLO bench.test\r\n")
    await read_reply(reader)
    number = offset
    while time.monotonic() < deadline:
        user = users[number % len(users)]
        message = make_message(size, number)
        started = time.monotonic()
        writer.write(b"MAIL FROM:<bench@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n" % user.encode())
        for expected in (b"250", b"250", b"354"):
            reply = await read_reply(reader)
            if not reply.startswith(expected):
                raise RuntimeError(f"unexpected reply {reply!r}")
        writer.write(message.replace(b"\r\n.", b"\r\n..") + b".\r\n")
        reply = await read_reply(reader)
        if reply.startswith(b"250"):
            latencies.append(time.monotonic() - started)
        else:
            failures.append(reply)
        number += 1000003
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


async def run(args) -> dict:
    latencies: list[float] = []
    failures: list[bytes] = []
    started = time.monotonic()
    deadline = started + args.seconds
    await asyncio.gather(*(connection(args.host, args.port, args.users.split(","), args.size, deadline, index,
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
    parser.add_argument("--users", default="user1@example.com", help="comma-separated recipients")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
