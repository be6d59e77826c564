"""The IMAP scenarios, run in-process on asyncio: a mixed load of N clients for a fixed time, a first
sync, N idle connections, a SELECT and a body fetch with timings."""
import asyncio
import random
import time

from imap_client import IMAPClient, IMAPError
from servers import PASSWORD

# Relative weights of the mix: reading dominates, as in real clients (cf. imaptest's default profile).
MIX = [("fetch_headers", 20), ("fetch_body", 15), ("store", 20), ("search", 10), ("append", 8),
       ("expunge", 8), ("idle", 7), ("select", 7), ("login", 5)]
HEADER_FETCH = b"(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])"
SEARCHES = [b"UID SEARCH UNSEEN", b'UID SEARCH SUBJECT "report"', b'UID SEARCH FROM "alice"',
            b"UID SEARCH SINCE 10-Oct-2026 FLAGGED"]


class Stats:
    def __init__(self):
        self.latencies: dict[str, list[float]] = {name: [] for name, _ in MIX}
        self.failures: dict[str, int] = {}

    def add(self, name: str, seconds: float) -> None:
        self.latencies.setdefault(name, []).append(seconds)

    def fail(self, name: str, error: Exception) -> None:
        self.failures[name] = self.failures.get(name, 0) + 1
        if self.failures[name] <= 3:
            print(f"    {name} failed: {error}")


async def _session(port: int, user: str, stats: Stats | None) -> tuple[IMAPClient, int]:
    started = time.perf_counter()
    client = await IMAPClient.connect(port)
    await client.login(user, PASSWORD)
    if stats:
        stats.add("login", time.perf_counter() - started)
    exists = await client.select()
    return client, exists


async def _mix_client(port: int, user: str, deadline: float, corpus: list[bytes], rng: random.Random,
                      stats: Stats) -> None:
    names = [name for name, _ in MIX]
    weights = [weight for _, weight in MIX]
    client, exists = await _session(port, user, stats)
    appended: list[int] = []
    while time.perf_counter() < deadline:
        name = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            if name == "fetch_headers":
                first = rng.randint(1, max(1, exists - 9))
                await client.command(b"FETCH %d:%d " % (first, min(exists, first + 9)) + HEADER_FETCH)
            elif name == "fetch_body":
                await client.command(b"FETCH %d BODY.PEEK[]" % rng.randint(1, exists))
            elif name == "store":
                await client.command(b"STORE %d %sFLAGS (\\Seen \\Flagged)" % (rng.randint(1, exists), rng.choice([b"+", b"-"])))
            elif name == "search":
                await client.command(rng.choice(SEARCHES))
            elif name == "append":
                uid = await client.append(rng.choice(corpus))
                exists += 1
                if uid:
                    appended.append(uid)
            elif name == "expunge":
                if not appended:
                    continue
                uid = appended.pop()
                await client.command(b"UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
                await client.command(b"UID EXPUNGE %d" % uid)
                exists -= 1
            elif name == "idle":
                await client.done(await client.start_idle())
            elif name == "select":
                exists = await client.select()
            elif name == "login":
                await client.close()
                client, exists = await _session(port, user, stats)
                continue  # _session recorded the login time
            stats.add(name, time.perf_counter() - started)
        except (IMAPError, OSError, asyncio.IncompleteReadError) as error:
            stats.fail(name, error)
            if isinstance(error, (OSError, asyncio.IncompleteReadError)) or b"closed" in str(error).encode():
                client, exists = await _session(port, user, None)
    await client.close()


async def mix(port: int, users: list[str], seconds: float, corpus: list[bytes], seed: int) -> Stats:
    stats = Stats()
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(_mix_client(port, user, deadline, corpus, random.Random(seed * 1000 + index), stats)
                           for index, user in enumerate(users)))
    return stats


# The short-session pattern of mobile clients and webmail (issue 30): every session connects, logs in, does a
# little and logs out. Commands per session, in this order; `greeting` is connect-to-greeting, `list_status` a LIST
# and a STATUS of INBOX, `fetch` headers of the newest ten or one body.
SHORT = [("greeting", 1), ("login", 1), ("select", 1), ("list_status", 1), ("fetch", 3), ("store", 1),
         ("append", 1), ("expunge", 1), ("logout", 1)]
# IMAP commands behind each step: ops/s counts commands, as the mixed load does.
SHORT_COMMANDS = {"greeting": 0, "list_status": 2, "expunge": 2}


async def _short_session(port: int, user: str, corpus: list[bytes], rng: random.Random, stats: Stats) -> None:
    def timed(name: str, started: float) -> float:
        now = time.perf_counter()
        stats.add(name, now - started)
        return now

    started = time.perf_counter()
    client = await IMAPClient.connect(port)
    try:
        started = timed("greeting", started)
        await client.login(user, PASSWORD)
        started = timed("login", started)
        exists = await client.select()
        started = timed("select", started)
        await client.command(b'LIST "" "*"')
        await client.command(b"STATUS INBOX (MESSAGES UNSEEN UIDNEXT)")
        started = timed("list_status", started)
        for _ in range(3):
            if rng.random() < 0.6:
                first = max(1, exists - 9)
                await client.command(b"FETCH %d:%d " % (first, max(first, exists)) + HEADER_FETCH)
            else:
                await client.command(b"FETCH %d BODY.PEEK[]" % rng.randint(1, max(1, exists)))
            started = timed("fetch", started)
        await client.command(b"STORE %d +FLAGS (\\Seen)" % rng.randint(1, max(1, exists)))
        started = timed("store", started)
        uid = await client.append(rng.choice(corpus))
        started = timed("append", started)
        if uid:
            await client.command(b"UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
            await client.command(b"UID EXPUNGE %d" % uid)
        started = timed("expunge", started)
        await client.command(b"LOGOUT")
        timed("logout", started)
    finally:
        client.writer.close()


async def _short_client(port: int, user: str, deadline: float, corpus: list[bytes], rng: random.Random,
                        stats: Stats) -> None:
    while time.perf_counter() < deadline:
        try:
            await _short_session(port, user, corpus, rng, stats)
        except (IMAPError, OSError, asyncio.IncompleteReadError) as error:
            stats.fail("session", error)


async def short_sessions(port: int, users: list[str], seconds: float, corpus: list[bytes], seed: int) -> Stats:
    stats = Stats()
    stats.latencies = {name: [] for name, _ in SHORT}
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(_short_client(port, user, deadline, corpus, random.Random(seed * 1000 + index), stats)
                           for index, user in enumerate(users)))
    return stats


async def first_sync(port: int, user: str) -> dict:
    """A new client's first look at a big mailbox: every message's flags, envelope and structure."""
    client, exists = await _session(port, user, None)
    started = time.perf_counter()
    untagged, _ = await client.command(b"UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)")
    elapsed = time.perf_counter() - started
    received = client.received
    await client.close()
    return {"messages": exists, "fetched": sum(1 for line in untagged if b" FETCH " in line[:30]),
            "seconds": round(elapsed, 3), "bytes": received}


async def timed_select(port: int, user: str) -> dict:
    started = time.perf_counter()
    client = await IMAPClient.connect(port)
    await client.login(user, PASSWORD)
    logged_in = time.perf_counter()
    exists = await client.select()
    selected = time.perf_counter()
    await client.close()
    return {"messages": exists, "login_s": round(logged_in - started, 3), "select_s": round(selected - logged_in, 3)}


async def body_fetch(port: int, user: str, count: int) -> dict:
    client, _ = await _session(port, user, None)
    started = time.perf_counter()
    untagged, _ = await client.command(b"FETCH 1:%d BODY.PEEK[]" % count)
    elapsed = time.perf_counter() - started
    await client.close()
    return {"messages": sum(1 for line in untagged if b" FETCH " in line[:30]), "seconds": round(elapsed, 3)}


async def open_idle(port: int, users: list[str], per_user: int, parallel: int = 20) -> list[IMAPClient]:
    """per_user connections for each user, each logged in, INBOX selected, in IDLE."""
    gate = asyncio.Semaphore(parallel)
    clients: list[IMAPClient] = []

    async def one(user: str):
        async with gate:
            client, _ = await _session(port, user, None)
            await client.start_idle()
            clients.append(client)

    await asyncio.gather(*(one(user) for user in users for _ in range(per_user)))
    return clients


async def close_all(clients: list[IMAPClient]) -> None:
    for client in clients:
        client.writer.close()
    await asyncio.sleep(0.5)
