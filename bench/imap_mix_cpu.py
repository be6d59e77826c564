"""Server CPU per IMAP command of the benchmark suite's mix, one command kind at a time (see docs/performance.md).

Starts `objectmail serve` the way bench/suite does (bench/suite/servers.py) on a posix store (no S3, so only
ObjectMail's own work counts; --s3-url for the suite's S3 layout, whose server CPU is added when OBJECTMAIL_TEST_S3_PID is set), delivers MAILBOX corpus mails to each of CLIENTS users over LMTP, then runs the
suite's mix (bench/suite/imap_scenarios.py) for SECONDS: first the whole mix, then each command kind alone
(appends last: they grow the mailboxes; expunge runs with append, since it removes what the client appended).
Prints ops/s and the server process's CPU milliseconds per command for each. With --wait the server's pid is
printed and each run starts 3 s later, so `perf record -g -p PID` can attach.

usage: python3 bench/imap_mix_cpu.py OBJECTMAIL_BIN [--clients 20] [--mailbox 200] [--seconds 10]
                                     [--only mix,fetch_headers,search] [--wait] [--s3-url URL]
"""
import argparse
import asyncio
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "suite"))
import corpus as corpus_module  # noqa: E402
import imap_scenarios as imap  # noqa: E402
from lmtp_load import deliver  # noqa: E402
from servers import ObjectMail, cpu_seconds  # noqa: E402


def run(server: ObjectMail, users: list[str], seconds: float, mails: list[bytes], kinds: list[tuple[str, int]],
        wait: bool, s3_pid: int | None) -> tuple[int, float, float, float]:
    imap.MIX[:] = kinds
    if wait:
        print(f"  server pid {server.process.pid}; load starts in 3 s", flush=True)
        time.sleep(3)
    s3_before = cpu_seconds(s3_pid) if s3_pid else 0.0
    before, started = cpu_seconds(server.process.pid), time.perf_counter()
    stats = asyncio.run(imap.mix(server.imap_port, users, seconds, mails, seed=1))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(server.process.pid) - before
    s3_cpu = cpu_seconds(s3_pid) - s3_before if s3_pid else 0.0
    return sum(len(v) for v in stats.latencies.values()), elapsed, cpu, s3_cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--mailbox", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--only", default="", help="comma-separated command kinds (default: the mix, then each kind)")
    parser.add_argument("--wait", action="store_true")
    parser.add_argument("--s3-url", default="", help="run on S3 behind the fscache, as bench/suite does (e.g. SeaweedFS "
                        "from MinIOTest/seaweedfs.sh); default: a posix store")
    options = parser.parse_args()
    # The S3 server's CPU counts too (the suite adds it): MinIOTest/seaweedfs.sh exports its pid.
    s3_pid = int(os.environ["OBJECTMAIL_TEST_S3_PID"]) if options.s3_url and os.environ.get("OBJECTMAIL_TEST_S3_PID") else None
    full_mix = list(imap.MIX)
    users = [f"bench{n}" for n in range(options.clients)]
    mails = corpus_module.generate(400)
    with tempfile.TemporaryDirectory(prefix="objectmail-mix-cpu.") as directory:
        server = ObjectMail(options.binary, pathlib.Path(directory), users, s3_url=options.s3_url)
        server.start()
        try:
            items = [(user, mails[(index * 37 + n) % len(mails)]) for index, user in enumerate(users) for n in range(options.mailbox)]
            asyncio.run(deliver(server.lmtp_port, items, connections=8))
            # Appends grow the mailboxes, which the other kinds' costs depend on: they run last.
            default = ["mix"] + [name for name, _ in full_mix if name not in ("append", "expunge")] + ["expunge", "append"]
            kinds = options.only.split(",") if options.only else default
            # expunge removes what this client appended, so it runs with append.
            runs = [(kind, full_mix if kind == "mix" else [(kind, 1), ("append", 1)] if kind == "expunge" else [(kind, 1)])
                    for kind in kinds]
            for label, mix in runs:
                ops, elapsed, cpu, s3_cpu = run(server, users, options.seconds, mails, mix, options.wait, s3_pid)
                s3 = f" + S3 server {s3_cpu * 1000 / max(ops, 1):.3f}" if s3_pid else ""
                print(f"{label:14} {ops / elapsed:8.0f} ops/s   server CPU {cpu * 1000 / max(ops, 1):.3f}{s3} ms per command",
                      flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
