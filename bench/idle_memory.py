#!/usr/bin/env python3
"""Idle connection memory of ObjectMail alone, without SeaweedFS or Dovecot (a quick check of the `idle`
scenario of bench/run.sh): USERS users with 3 mails each on a posix store, one connection per user logged in,
INBOX selected and in IDLE, then PER_USER - 1 further ones; prints the RSS growth of the server process.

    bench/idle_memory.py --binary .build/release/objectmail [--users 100] [--per-user 10]
"""
import argparse
import asyncio
import pathlib
import resource
import subprocess
import sys
import tempfile
import textwrap
import time

BENCH = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH / "suite"))
from lmtp_load import deliver  # noqa: E402
import imap_scenarios as imap  # noqa: E402
from servers import PASSWORD, free_port, wait_for_port  # noqa: E402


def rss(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def message(user: str, n: int) -> bytes:
    body = "".join(f"Line {i} of a plain mail for the idle benchmark.\r\n" for i in range(40))
    return (f"From: sender@example.org\r\nTo: {user}\r\nSubject: idle test {n}\r\n"
            f"Message-ID: <idle-{n}-{user}>\r\nDate: Sun, 22 Nov 2026 08:00:00 +0000\r\n\r\n{body}").encode()


async def hold(port: int, users: list[str], per_user: int, pid: int) -> dict:
    first = await imap.open_idle(port, users, per_user=1)
    await asyncio.sleep(2)
    first_rss = rss(pid)
    rest = await imap.open_idle(port, users, per_user=per_user - 1)
    await asyncio.sleep(2)
    all_rss = rss(pid)
    await imap.close_all(first + rest)
    return {"first": len(first), "rest": len(rest), "first_rss": first_rss, "rss": all_rss}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--per-user", type=int, default=10)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    users = [f"idle{i}@example.com" for i in range(1, args.users + 1)]
    with tempfile.TemporaryDirectory(prefix="objectmail-idle-") as tmp:
        root = pathlib.Path(tmp)
        (root / "users").write_text("".join(f"{user}:{{PLAIN}}{PASSWORD}::::::\n" for user in users))
        lmtp_port, imap_port = free_port(), free_port()
        databases = "".join(f"{kind} {{\n  driver = passwd-file\n  args = {root}/users\n}}\n" for kind in ("passdb", "userdb"))
        (root / "objectmail.conf").write_text(textwrap.dedent(f"""\
            mail_allow_root = yes
            log_path = {root}/objectmail.log
            protocols = lmtp imap
            mail_max_userip_connections = 0
            service lmtp {{
              inet_listener lmtp {{
                address = 127.0.0.1
                port = {lmtp_port}
              }}
            }}
            service imap-login {{
              inet_listener imap {{
                address = 127.0.0.1
                port = {imap_port}
              }}
            }}
            mail_home = {root}/home/%u
            plugin {{
              obox_fs = posix:{root}/objects
              obox_index_fs = posix:{root}/objects
            }}
            """) + databases)
        command = [str(pathlib.Path(args.binary).resolve()), "serve", "-c", str(root / "objectmail.conf")]
        server = subprocess.Popen(command, cwd=root)
        wait_for_port(imap_port, server)
        asyncio.run(deliver(lmtp_port, [(user, message(user, n)) for user in users for n in range(3)], connections=8))
        # A fresh process, so the growth is not hidden by heap that the deliveries freed.
        server.terminate()
        server.wait(timeout=30)
        server = subprocess.Popen(command, cwd=root)
        wait_for_port(imap_port, server)
        time.sleep(1)
        base = rss(server.pid)
        result = asyncio.run(hold(imap_port, users, args.per_user, server.pid))
        server.terminate()
        server.wait(timeout=30)
    count = result["first"] + result["rest"]
    print(f"connections {count} ({args.users} users x {args.per_user})")
    print(f"RSS {base / 2**20:.1f} MiB -> {result['first_rss'] / 2**20:.1f} MiB (1 per user) -> {result['rss'] / 2**20:.1f} MiB")
    print(f"KiB per connection (whole growth): {(result['rss'] - base) / count / 1024:.1f}")
    print(f"KiB per first connection of a user: {(result['first_rss'] - base) / result['first'] / 1024:.1f}")
    if result["rest"]:
        print(f"KiB per further connection: {(result['rss'] - result['first_rss']) / result['rest'] / 1024:.1f}")


if __name__ == "__main__":
    main()
