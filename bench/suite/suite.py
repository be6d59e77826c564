#!/usr/bin/env python3
"""ObjectMail against Dovecot 2.3, side by side: every scenario against both servers in the same run,
alternating which goes first, several rounds; the median round is reported. Prints one table per
scenario and writes bench/results/latest.json and latest.md. Started by bench/run.sh (which builds,
installs Dovecot and starts SeaweedFS)."""
import argparse
import asyncio
import json
import os
import pathlib
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
BENCH = HERE.parent
sys.path.insert(0, str(BENCH))  # lmtp_load.py, the LMTP load generator, lives there

import corpus as corpus_module  # noqa: E402
import imap_scenarios as imap  # noqa: E402
from lmtp_load import deliver  # noqa: E402
from servers import Dovecot, ObjectMail, S3Counter, cpu_seconds  # noqa: E402
BIG_USER = "big@example.com"


class Profile:
    def __init__(self, quick: bool):
        self.quick = quick
        self.rounds = 1 if quick else 3
        self.corpus = 300 if quick else 2000
        self.lmtp_seconds = 2 if quick else 10
        self.lmtp_connections = [1, 4, 16]
        self.mix_seconds = 4 if quick else 20
        self.mix_clients = [10, 50]
        self.mix_mailbox = 30 if quick else 200
        self.big_mailbox = 1000 if quick else 10_000
        self.idle_users = 10 if quick else 100  # 10 connections each (the default mail_max_userip_connections)
        self.fetch_count = 100
        self.latency_ms = 20


def machine() -> dict:
    return {"cores": os.cpu_count(), "load_average": os.getloadavg(), "kernel": platform.release(),
            "cpu": next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?"),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def busy_cpu_seconds() -> float:
    """All cores' non-idle time so far (from /proc/stat), to show the load generator's share."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - fields[3] - fields[4]) / ticks


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if a and b else "-"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


def per(counts: dict[str, int], divisor: float) -> str:
    return ", ".join(f"{kind} {count / divisor:.3f}" for kind, count in counts.items()) if divisor else "-"


class Report:
    def __init__(self):
        self.markdown: list[str] = []
        self.results: dict = {}

    def table(self, title: str, header: list[str], rows: list[list], notes: list[str] = ()) -> None:
        lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
        lines += [""] + [f"{note}  " for note in notes] + [""]
        self.markdown += lines
        print("\n".join(lines), flush=True)


class Suite:
    def cpu(self, server) -> tuple[float, float]:
        """(server CPU s, SeaweedFS CPU s) so far; SeaweedFS only works for ObjectMail."""
        return server.cpu_seconds(), cpu_seconds(self.args.s3_pid) if server is not self.dovecot else 0.0

    @staticmethod
    def cpu_ms_per(before: tuple[float, float], after: tuple[float, float], count: int) -> dict:
        return {"server_cpu_ms": round((after[0] - before[0]) * 1000 / max(1, count), 3),
                "s3_server_cpu_ms": round((after[1] - before[1]) * 1000 / max(1, count), 3)}

    def __init__(self, args):
        self.args = args
        self.profile = Profile(args.quick)
        self.report = Report()
        self.summary: dict = {}
        self.s3 = S3Counter(args.metrics_port)
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-bench-"))
        os.chmod(self.work, 0o755)
        p = self.profile
        self.mix_users = [f"mix{i}@example.com" for i in range(1, max(p.mix_clients) + 1)]
        self.lmtp_users = [f"lmtp{i}@example.com" for i in range(1, 11)]
        self.idle_users = [f"idle{i}@example.com" for i in range(1, p.idle_users + 1)]
        users = self.mix_users + self.lmtp_users + self.idle_users + [BIG_USER]
        self.objectmail = ObjectMail(args.binary, self.work / "objectmail", users, s3_url=args.s3_url)
        self.posix = ObjectMail(args.binary, self.work / "objectmail-posix", users, name="objectmail-posix")
        self.dovecot = Dovecot(self.work / "dovecot", users)
        print(f"corpus: {p.corpus} mails, seed 14", flush=True)
        self.corpus = corpus_module.generate(p.corpus)
        (self.work / "corpus").mkdir()
        for index, mail in enumerate(self.corpus):
            (self.work / "corpus" / f"{index:05d}.eml").write_bytes(mail)
        sizes = sorted(len(m) for m in self.corpus)
        self.report.results["corpus"] = {"mails": len(sizes), "seed": 14, "median_bytes": median(sizes),
                                         "mean_bytes": round(statistics.mean(sizes)), "max_bytes": sizes[-1]}

    def servers(self, round_index: int) -> list:
        """Both servers, the order alternating with the round so neither always runs first."""
        pair = [self.objectmail, self.dovecot]
        return pair if round_index % 2 == 0 else pair[::-1]

    # MARK: LMTP

    def lmtp(self) -> None:
        p = self.profile
        rows, results = [], {}
        self.posix.start()
        before_all = self.s3.snapshot()
        delivered_s3 = 0
        for connections in p.lmtp_connections:
            for round_index in range(p.rounds):
                servers = [self.objectmail, self.posix, self.dovecot]
                servers = servers if round_index % 2 == 0 else servers[::-1]
                for server in servers:
                    before, cpu_before = self.s3.snapshot(), self.cpu(server)
                    own_before = server.own_s3.snapshot() if server is self.objectmail else {}
                    out = subprocess.run([sys.executable, str(BENCH / "lmtp_load.py"), "--port", str(server.lmtp_port),
                                          "--connections", str(connections), "--seconds", str(p.lmtp_seconds),
                                          "--corpus", str(self.work / "corpus"), "--users", ",".join(self.lmtp_users),
                                          "--label", server.name], capture_output=True, text=True, check=True)
                    result = json.loads(out.stdout)
                    result.update(self.cpu_ms_per(cpu_before, self.cpu(server), result["messages"]))
                    if server is self.objectmail:
                        result["s3"] = S3Counter.delta(before, self.s3.snapshot())
                        # ObjectMail's own count by operation, next to what SeaweedFS answered.
                        result["s3_objectmail"] = server.own_s3.delta(own_before, server.own_s3.snapshot())
                        delivered_s3 += result["messages"]
                    results.setdefault(f"{server.name}/{connections}", []).append(result)
        self.posix.stop()
        # The clean-shutdown flush uploads the index bundles: count it, then start again for the next scenarios.
        self.objectmail.stop()
        total = S3Counter.delta(before_all, self.s3.snapshot())
        self.objectmail.start()
        for connections in p.lmtp_connections:
            best = {}
            for name in ("objectmail", "objectmail-posix", "dovecot"):
                runs = results[f"{name}/{connections}"]
                best[name] = sorted(runs, key=lambda r: r["msgs_per_s"])[len(runs) // 2]
            om, px, dc = best["objectmail"], best["objectmail-posix"], best["dovecot"]
            rows.append([connections, om["msgs_per_s"], px["msgs_per_s"], dc["msgs_per_s"],
                         ratio(om["msgs_per_s"], dc["msgs_per_s"]), ratio(px["msgs_per_s"], dc["msgs_per_s"]),
                         f'{om["p50_ms"]} / {om["p99_ms"]}', f'{px["p50_ms"]} / {px["p99_ms"]}',
                         f'{dc["p50_ms"]} / {dc["p99_ms"]}',
                         f'{om["server_cpu_ms"]:.2f} + {om["s3_server_cpu_ms"]:.2f} / {px["server_cpu_ms"]:.2f} / '
                         f'{dc["server_cpu_ms"]:.2f}', per(om["s3"], om["messages"])])
        puts = total.get("PUT", 0) / max(1, delivered_s3)
        self.summary["lmtp_posix_ratio"] = min(float(row[5].rstrip("×")) for row in rows)
        self.summary["lmtp_s3_ratio"] = min(float(row[4].rstrip("×")) for row in rows)
        self.summary["puts_per_recipient"] = puts
        self.report.results["lmtp"] = {"runs": results, "s3_total": total, "delivered_s3": delivered_s3,
                                       "puts_per_recipient": round(puts, 3)}
        self.report.table(
            "LMTP delivery (corpus mails, 10 recipients in rotation; msgs/s, median of rounds)",
            ["conns", "ObjectMail S3", "ObjectMail posix", "Dovecot", "ratio S3", "ratio posix",
             "p50/p99 ms S3", "p50/p99 ms posix", "p50/p99 ms Dovecot",
             "server CPU ms per mail: OM S3 + SeaweedFS / OM posix / Dovecot", "S3 requests per mail (during the run)"], rows,
            [f"S3 store in total, clean-shutdown flush of the index bundles included: {per(total, delivered_s3)} "
             f"requests per delivered recipient ({delivered_s3} recipients): **{puts:.3f} PUTs per recipient**."])

    # MARK: preload

    def preload(self) -> None:
        p = self.profile
        items = []
        for index, user in enumerate(self.mix_users):
            items += [(user, self.corpus[(index * 37 + n) % len(self.corpus)]) for n in range(p.mix_mailbox)]
        for index, user in enumerate(self.idle_users):
            items += [(user, self.corpus[(index + n) % len(self.corpus)]) for n in range(3)]
        items += [(BIG_USER, self.corpus[n % len(self.corpus)]) for n in range(p.big_mailbox)]
        for server in (self.objectmail, self.dovecot):
            started = time.perf_counter()
            asyncio.run(deliver(server.lmtp_port, items, connections=8))
            print(f"preloaded {server.name}: {len(items)} mails in {time.perf_counter() - started:.1f} s", flush=True)

    # MARK: IMAP

    def imap_mix(self) -> None:
        p = self.profile
        self._imap_load(
            "imap_mix", "imap", lambda port, users, seed: imap.mix(port, users, p.mix_seconds, self.corpus, seed=seed),
            imap.MIX, {name: 1 for name, _ in imap.MIX},
            f"IMAP mixed load ({p.mix_seconds} s per run, one user per client, {p.mix_mailbox} mails each; median of rounds)",
            ["Mix weights: " + ", ".join(f"{name} {weight}" for name, weight in imap.MIX) + ". `login` is a "
             "reconnect (LOGOUT, connect, greeting, LOGIN); `expunge` is UID STORE +FLAGS (\\Deleted) and "
             "UID EXPUNGE of a mail the client appended; `idle` is IDLE … DONE."])

    def short_sessions(self) -> None:
        p = self.profile
        self._imap_load(
            "imap_short", "short",
            lambda port, users, seed: imap.short_sessions(port, users, p.mix_seconds, self.corpus, seed=seed),
            imap.SHORT, imap.SHORT_COMMANDS,
            f"IMAP short sessions ({p.mix_seconds} s per run, one user per client, {p.mix_mailbox} mails each; median "
            "of rounds; ops are IMAP commands)",
            ["Each session: connect and greeting, LOGIN, SELECT, LIST + STATUS, 3 FETCH (headers of the newest ten "
             "or one body), STORE, APPEND, UID STORE + UID EXPUNGE of the appended mail, LOGOUT. Rows per step "
             "give steps/s and their latency (`greeting`: connect to greeting)."])

    def _imap_load(self, key: str, summary: str, run, steps: list, commands_per_step: dict, title: str,
                   notes: list[str]) -> None:
        """Runs an IMAP load against both servers for every client count and round; tables the medians."""
        p = self.profile
        rows, results = [], {}
        for clients in p.mix_clients:
            for round_index in range(p.rounds):
                for server in self.servers(round_index):
                    before, cpu_before, busy_before = self.s3.snapshot(), time.process_time(), busy_cpu_seconds()
                    server_before = self.cpu(server)
                    started = time.perf_counter()
                    stats = asyncio.run(run(server.imap_port, self.mix_users[:clients], round_index))
                    elapsed = time.perf_counter() - started
                    generator, busy = time.process_time() - cpu_before, busy_cpu_seconds() - busy_before
                    ops = sum(len(v) * commands_per_step.get(name, 1) for name, v in stats.latencies.items())
                    results.setdefault(f"{server.name}/{clients}", []).append({
                        **self.cpu_ms_per(server_before, self.cpu(server), ops),
                        "ops": ops, "ops_per_s": round(ops / elapsed, 1), "seconds": round(elapsed, 2),
                        "failures": stats.failures,
                        "generator_cpu_share": round(generator / busy, 3) if busy else 0,
                        "generator_cpu_s": round(generator, 2), "machine_busy_cpu_s": round(busy, 2),
                        "s3": S3Counter.delta(before, self.s3.snapshot()) if server is self.objectmail else {},
                        "commands": {name: {"count": len(v), "p50_ms": round(percentile(v, 0.5) * 1000, 2),
                                            "p99_ms": round(percentile(v, 0.99) * 1000, 2)}
                                     for name, v in stats.latencies.items()}})
            om_runs, dc_runs = results[f"objectmail/{clients}"], results[f"dovecot/{clients}"]
            om = sorted(om_runs, key=lambda r: r["ops_per_s"])[len(om_runs) // 2]
            dc = sorted(dc_runs, key=lambda r: r["ops_per_s"])[len(dc_runs) // 2]
            self.summary[f"{summary}_ratio_{clients}"] = om["ops_per_s"] / dc["ops_per_s"]
            if "login" in om["commands"]:
                self.summary[f"{summary}_login_p99_ms_{clients}"] = (om["commands"]["login"]["p99_ms"],
                                                                     dc["commands"]["login"]["p99_ms"])
            rows.append([clients, "**all**", om["ops_per_s"], dc["ops_per_s"], ratio(om["ops_per_s"], dc["ops_per_s"]),
                         f'{om["server_cpu_ms"]:.2f} + {om["s3_server_cpu_ms"]:.2f}', f'{dc["server_cpu_ms"]:.2f}',
                         per(om["s3"], om["ops"]),
                         f'{om["generator_cpu_share"]:.0%} / {dc["generator_cpu_share"]:.0%}'])
            for name, _ in steps:
                o, d = om["commands"][name], dc["commands"][name]
                rows.append([clients, name, round(o["count"] / om["seconds"], 1), round(d["count"] / dc["seconds"], 1),
                             ratio(o["count"] / om["seconds"], d["count"] / dc["seconds"]),
                             f'{o["p50_ms"]} / {o["p99_ms"]}', f'{d["p50_ms"]} / {d["p99_ms"]}', "", ""])
        self.report.results[key] = results
        self.report.table(
            title,
            ["clients", "command", "ObjectMail ops/s", "Dovecot ops/s", "ratio",
             "ObjectMail p50/p99 ms (all: CPU ms per command, + SeaweedFS's)", "Dovecot p50/p99 ms (all: CPU ms per command)", "S3 requests per IMAP command", "load generator share of busy CPU (OM / Dovecot runs)"],
            rows, notes)

    def first_sync(self) -> None:
        rows, results = [], {}
        for round_index in range(self.profile.rounds):
            for server in self.servers(round_index):
                before = self.s3.snapshot()
                result = asyncio.run(imap.first_sync(server.imap_port, BIG_USER))
                if server is self.objectmail:
                    result["s3"] = S3Counter.delta(before, self.s3.snapshot())
                results.setdefault(server.name, []).append(result)
        om = sorted(results["objectmail"], key=lambda r: r["seconds"])[len(results["objectmail"]) // 2]
        dc = sorted(results["dovecot"], key=lambda r: r["seconds"])[len(results["dovecot"]) // 2]
        gets = max(r["s3"].get("GET", 0) for r in results["objectmail"])
        self.summary["first_sync_gets"] = gets
        first_dovecot = results["dovecot"][0]["seconds"]
        rows.append([om["messages"], om["seconds"], dc["seconds"], ratio(dc["seconds"], om["seconds"]), first_dovecot,
                     per(om["s3"], 1) or "none", gets])
        self.report.results["first_sync"] = results
        self.report.table("First sync: UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE) on a fresh connection",
                          ["messages", "ObjectMail s", "Dovecot s", "speed ratio", "Dovecot's first round s",
                           "S3 requests (ObjectMail)", "most GETs in any round"], [rows[0]],
                          ["Median of the rounds. Dovecot's first round parses every mail file (ENVELOPE and "
                           "BODYSTRUCTURE are not in its cache after LMTP delivery); later rounds answer from "
                           "dovecot.index.cache. ObjectMail answers from the metacache, filled at delivery."])

    def idle(self) -> None:
        p = self.profile
        rows, results = [], {}
        # A freshly started ObjectMail, so the growth is not hidden by heap that earlier scenarios freed.
        self.objectmail.stop()
        self.objectmail.start()
        for server in (self.objectmail, self.dovecot):
            time.sleep(1)
            base_rss, base_pss = server.memory()
            before = self.s3.snapshot()
            started = time.perf_counter()
            clients = asyncio.run(self._hold_idle(server))
            results[server.name] = clients
            clients.update(seconds_to_open=round(time.perf_counter() - started, 1),
                           s3=S3Counter.delta(before, self.s3.snapshot()) if server is self.objectmail else {})
            count = clients["connections"]
            clients["rss_per_connection"] = round((clients["rss"] - base_rss) / count)
            clients["pss_per_connection"] = round((clients["pss"] - base_pss) / count)
            more = count - clients["first_connections"]
            clients["rss_per_extra_connection"] = round((clients["rss"] - clients["first_rss"]) / more)
            clients["pss_per_extra_connection"] = round((clients["pss"] - clients["first_pss"]) / more)
            clients.update(base_rss=base_rss, base_pss=base_pss)
        om, dc = results["objectmail"], results["dovecot"]
        rows.append([om["connections"], f'{om["rss_per_connection"] / 1024:.1f}',
                     f'{dc["pss_per_connection"] / 1024:.1f} ({dc["rss_per_connection"] / 1024:.0f})',
                     ratio(dc["pss_per_connection"], om["rss_per_connection"]),
                     f'{om["rss_per_extra_connection"] / 1024:.1f}',
                     f'{dc["pss_per_extra_connection"] / 1024:.1f} ({dc["rss_per_extra_connection"] / 1024:.0f})',
                     f'{om["base_rss"] / 2**20:.0f} → {om["rss"] / 2**20:.0f} MiB',
                     f'{dc["processes"]} imap processes, {dc["rss"] / 2**20:.0f} MiB RSS / {dc["pss"] / 2**20:.0f} MiB PSS',
                     per(om["s3"], om["connections"])])
        self.report.results["idle"] = results
        self.summary["idle_kib"] = om["rss_per_connection"] / 1024
        self.summary["idle_extra_kib"] = om["rss_per_extra_connection"] / 1024
        self.summary["idle_connections"] = om["connections"]
        self.report.table(
            "Idle connections: memory per logged-in, selected, IDLE-ing connection",
            ["connections", "ObjectMail KiB (RSS growth)", "Dovecot KiB PSS (RSS)", "Dovecot / ObjectMail",
             "ObjectMail KiB per further connection of a user", "Dovecot KiB per further connection PSS (RSS)",
             "ObjectMail process RSS",
             "Dovecot", "S3 requests per connection"], rows,
            [f"{p.idle_users} users × 10 connections each. ObjectMail (restarted just before): growth of its one "
             "process's RSS from before the first connection to all connections in IDLE, divided by the connections "
             "(users' indexes loaded for the connections included). One connection per user is opened first, then "
             "the other nine: 'per further connection' is the second step's growth divided by its connections, the "
             "cost of a session without its user's state. Dovecot: the "
             "sum over its per-connection `imap` processes (children of this instance's master; /proc/PID/smaps_rollup) "
             "divided by the connections; RSS counts the shared libraries in every process, PSS shares them out, so "
             "PSS is the fair figure. Login, auth, master processes excluded (they do not grow per idle connection)."])

    async def _hold_idle(self, server) -> dict:
        """One connection per user first (that loads every user's index), then the other nine: the second
        step's growth is the cost of a connection alone, the whole growth includes the users' state."""
        first = await imap.open_idle(server.imap_port, self.idle_users, per_user=1)
        await asyncio.sleep(2)
        first_rss, first_pss = server.memory()
        rest = await imap.open_idle(server.imap_port, self.idle_users, per_user=9)
        await asyncio.sleep(2)
        rss, pss = server.memory()
        processes = len(server.imap_processes()) if server is self.dovecot else 1
        await imap.close_all(first + rest)
        return {"connections": len(first) + len(rest), "rss": rss, "pss": pss, "processes": processes,
                "first_connections": len(first), "first_rss": first_rss, "first_pss": first_pss}

    def cold_select(self) -> None:
        rows, results = [], {}
        for round_index in range(self.profile.rounds):
            for server in self.servers(round_index):
                server.stop()
                server.forget_user(BIG_USER)
                server.start()
                before = self.s3.snapshot()
                result = asyncio.run(imap.timed_select(server.imap_port, BIG_USER))
                if server is self.objectmail:
                    result["s3"] = S3Counter.delta(before, self.s3.snapshot())
                results.setdefault(server.name, []).append(result)
        for runs in results.values():
            for result in runs:
                result["total_s"] = round(result["login_s"] + result["select_s"], 3)
        om = sorted(results["objectmail"], key=lambda r: r["total_s"])[len(results["objectmail"]) // 2]
        dc = sorted(results["dovecot"], key=lambda r: r["total_s"])[len(results["dovecot"]) // 2]
        rows.append([om["messages"], om["login_s"], om["select_s"], om["total_s"], dc["login_s"], dc["select_s"],
                     dc["total_s"], ratio(dc["total_s"], om["total_s"]), per(om["s3"], 1)])
        self.report.results["cold_select"] = results
        self.summary["cold_s"], self.summary["cold_messages"] = om["total_s"], om["messages"]
        self.report.table(
            "Cold user: LOGIN and SELECT after the server restarted with the user's metacache (and the fscache) wiped",
            ["messages", "ObjectMail LOGIN s", "ObjectMail SELECT s", "ObjectMail both s", "Dovecot LOGIN s",
             "Dovecot SELECT s", "Dovecot both s", "speed ratio (both)", "S3 requests (ObjectMail, LOGIN + SELECT)"], rows,
            ["ObjectMail loads a user's index at LOGIN (from the index bundle in the bucket when the metacache is "
             "cold), so the cold cost is LOGIN + SELECT. Dovecot's cold state: its dovecot.index* files deleted "
             "(the Maildir and dovecot-uidlist stay), so SELECT rebuilds the index from the directory listing."])

    def latency_fetch(self) -> None:
        p = self.profile
        relay = subprocess.Popen([sys.executable, str(HERE / "relay.py"), str(self.args.s3_port), str(p.latency_ms)],
                                 stdout=subprocess.PIPE, text=True)
        relay_port = int(relay.stdout.readline())
        delayed_url = self.args.s3_url.replace(f":{self.args.s3_port}/", f":{relay_port}/")
        results: dict = {}
        try:
            for round_index in range(p.rounds):
                for prefetch in ((0, None) if round_index % 2 == 0 else (None, 0)):
                    self.objectmail.stop()
                    shutil.rmtree(self.objectmail.fscache(), ignore_errors=True)
                    self.objectmail.start(s3_url=delayed_url, prefetch=prefetch)
                    before = self.s3.snapshot()
                    result = asyncio.run(imap.body_fetch(self.objectmail.imap_port, BIG_USER, p.fetch_count))
                    result["s3"] = S3Counter.delta(before, self.s3.snapshot())
                    results.setdefault("default" if prefetch is None else "0", []).append(result)
                results.setdefault("dovecot", []).append(asyncio.run(imap.body_fetch(self.dovecot.imap_port, BIG_USER, p.fetch_count)))
        finally:
            self.objectmail.stop()
            relay.terminate()
            relay.wait()
            self.objectmail.start()
        pick = {name: sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2] for name, runs in results.items()}
        rows = [[f"ObjectMail, mail_prefetch_count = {name}", pick[name]["seconds"], per(pick[name]["s3"], p.fetch_count)]
                for name in ("0", "default")]
        rows.append(["Dovecot (local Maildir, no added latency: reference)", pick["dovecot"]["seconds"], "-"])
        self.report.results["latency_fetch"] = results
        self.summary["latency_fetch_s"] = pick["default"]["seconds"]
        self.summary["latency_fetch_serial_s"] = pick["0"]["seconds"]
        self.report.table(
            f"FETCH 1:{p.fetch_count} BODY.PEEK[] of uncached mails, {p.latency_ms} ms added in front of S3",
            ["server", "seconds", "S3 requests per mail"], rows,
            [f"A delaying TCP relay (bench/suite/relay.py) holds every byte ObjectMail sends to SeaweedFS for "
             f"{p.latency_ms} ms; the fscache is wiped and the server restarted before each fetch (the metacache stays). "
             "mail_prefetch_count's default is 10; 0 means one body at a time."])

    def targets(self) -> None:
        """The bar from issue 14, each marked met or missed from this run's figures."""
        m = self.summary
        checks = [
            ("LMTP ≥ 1.0 × Dovecot (ObjectMail on posix; worst connection count)", "lmtp_posix_ratio",
             lambda v: (f"{v:.2f}×", v >= 1.0)),
            ("LMTP into S3 vs Dovecot on Maildir (information; worst connection count)", "lmtp_s3_ratio",
             lambda v: (f"{v:.2f}×", None)),
            ("≤ 1.10 PUTs per recipient (S3)", "puts_per_recipient", lambda v: (f"{v:.3f}", v <= 1.10)),
            ("IMAP mix ≥ 1.0 × Dovecot at 50 clients (next: 1.5 ×)", "imap_ratio_50", lambda v: (f"{v:.2f}×", v >= 1.0)),
            ("IMAP mix at 10 clients (information)", "imap_ratio_10", lambda v: (f"{v:.2f}×", None)),
            ("IMAP short sessions ≥ 1.5 × Dovecot at 50 clients", "short_ratio_50", lambda v: (f"{v:.2f}×", v >= 1.5)),
            ("IMAP short sessions at 10 clients (information)", "short_ratio_10", lambda v: (f"{v:.2f}×", None)),
            ("LOGIN p99 in short sessions ≤ Dovecot's at 50 clients", "short_login_p99_ms_50",
             lambda v: (f"{v[0]:.1f} ms (Dovecot {v[1]:.1f} ms)", v[0] <= v[1])),
            ("≤ 64 KiB RSS per idle connection", "idle_kib",
             lambda v: (f"{v:.1f} KiB at {m['idle_connections']} connections ({m['idle_extra_kib']:.1f} KiB per "
                        "further connection of a user already logged in)", v <= 64)),
            ("first sync: 0 GETs", "first_sync_gets", lambda v: (f"{v} GETs", v == 0)),
            ("cold SELECT of 10k messages ≤ 1 s (LOGIN + SELECT)", "cold_s",
             lambda v: (f"{v:.3f} s for {m['cold_messages']} messages",
                        v <= 1.0 if m["cold_messages"] >= 10_000 else None)),  # a smaller mailbox proves nothing
            ("100 uncached bodies behind 20 ms ≤ 0.3 s (default mail_prefetch_count)", "latency_fetch_s",
             lambda v: (f"{v:.3f} s (prefetch 0: {m['latency_fetch_serial_s']:.3f} s)", v <= 0.3)),
        ]
        rows = []
        for name, key, judge in checks:
            if key in m:
                text, met = judge(m[key])
                rows.append([name, text, "-" if met is None else ("met" if met else "**missed**")])
        self.report.results["targets"] = {row[0]: {"measured": row[1], "verdict": row[2]} for row in rows}
        self.report.table("Targets", ["target", "measured", "verdict"], rows)

    def run(self) -> None:
        scenarios = self.args.scenarios.split(",")
        self.report.results["machine_before"] = machine()
        self.report.results["versions"] = {"dovecot": self.dovecot.version(), "objectmail": subprocess.run(
            [self.args.binary, "--version"], capture_output=True, text=True).stdout.strip()}
        self.objectmail.start()
        self.dovecot.start()
        try:
            if "lmtp" in scenarios:
                self.lmtp()
            if set(scenarios) - {"lmtp"}:
                self.preload()
            for name in ("imap", "short", "first-sync", "idle", "cold", "latency"):
                if name in scenarios:
                    getattr(self, {"imap": "imap_mix", "short": "short_sessions", "first-sync": "first_sync", "idle": "idle",
                                   "cold": "cold_select", "latency": "latency_fetch"}[name])()
        finally:
            self.objectmail.stop()
            self.dovecot.stop()
            self.posix.stop()
        self.targets()
        self.report.results["machine_after"] = machine()
        self.write()
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    def write(self) -> None:
        out = pathlib.Path(self.args.results)
        out.mkdir(parents=True, exist_ok=True)
        results = self.report.results
        before, after = results["machine_before"], results["machine_after"]
        header = [f"# ObjectMail vs Dovecot benchmark ({'quick' if self.profile.quick else 'full'}, "
                  f"{self.profile.rounds} round(s))", "",
                  f"{after['date']}; {before['cores']} cores ({before['cpu']}), load average "
                  f"{' '.join(f'{x:.1f}' for x in before['load_average'])} at the start and "
                  f"{' '.join(f'{x:.1f}' for x in after['load_average'])} at the end; Dovecot "
                  f"{results['versions']['dovecot']} (Maildir), ObjectMail {results['versions']['objectmail']} "
                  f"(release build, SeaweedFS S3 on the same machine).", "",
                  f"Corpus: {results['corpus']['mails']} mails (seed 14), median {results['corpus']['median_bytes']:.0f} B, "
                  f"mean {results['corpus']['mean_bytes']} B, largest {results['corpus']['max_bytes']} B. S3 requests "
                  "are SeaweedFS's own counters (GET includes HEAD).", ""]
        # A smoke run never overwrites the figures of the last full run.
        name = "quick" if self.profile.quick else "latest"
        (out / f"{name}.md").write_text("\n".join(header + self.report.markdown))
        (out / f"{name}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
        print(f"results: {out / f'{name}.json'}, {out / f'{name}.md'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one round, small mailboxes and short runs: a smoke check")
    parser.add_argument("--binary", required=True)
    parser.add_argument("--s3-url", required=True, help="ObjectMail's S3 URL (credentials, bucket)")
    parser.add_argument("--s3-port", type=int, required=True)
    parser.add_argument("--metrics-port", type=int, required=True, help="SeaweedFS's Prometheus port")
    parser.add_argument("--s3-pid", type=int, required=True, help="SeaweedFS's process (for its CPU time)")
    parser.add_argument("--scenarios", default="lmtp,imap,short,first-sync,idle,cold,latency")
    parser.add_argument("--results", default=str(BENCH / "results"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, configs)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    Suite(args).run()


if __name__ == "__main__":
    main()
