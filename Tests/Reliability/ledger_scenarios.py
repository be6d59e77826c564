"""The three scenarios that run the mixed load against a ledger:

- `kill9`: cycles of 30–90 s of load ended by SIGKILL of the server, restarted (with probability
  `empty_metacache` on an emptied metacache, so it recovers from the bucket's bundles), then checked;
- `randomfail`: the same with `randomfail:all=N:` right above the s3 driver of both pipelines;
- `s3`: cycles in which SeaweedFS is stopped (SIGSTOP) for a while or killed and restarted on its data directory
  in the middle of the load; the load is then stopped and checked on the live server, the server killed and
  restarted, and checked again (the restart's rescan is what would adopt a late PUT of a refused save).

Each check compares what the server shows with the ledger (ledger.py). At the end the server is stopped cleanly
(status 0 required), started on an emptied metacache and checked once more, strictly."""
import dataclasses
import pathlib
import random
import time

from .cluster import ObjectMail, RSSSampler, user_names
from .ledger import Ledger
from .listing import listing
from .summary import Summary
from .workload import Workload


@dataclasses.dataclass
class Options:
    binary: str
    seconds: float                    # the scenario's duration (load time, without the checks)
    cycle: tuple = (30.0, 90.0)       # seconds of load between two kills, drawn uniformly
    users: int = 4
    lmtp: int = 3
    appenders: int = 2
    modifiers: int = 2
    pop3: int = 1
    client_timeout: float = 120.0
    empty_metacache: float = 0.3      # probability that a restart starts on an emptied metacache
    randomfail: int = 10              # percent, for the randomfail scenario
    stall: tuple = (20.0, 60.0)       # seconds SeaweedFS stays stopped
    s3_down: tuple = (2.0, 8.0)       # seconds SeaweedFS stays dead after SIGKILL
    s3_options: str = "timeout=3000&max_retries=2"  # for the s3 scenario: PUTs time out during a stall
    upload_interval: str = "1s"
    rss_limit_mb: int = 1024
    expunge_settle: float = 10.0      # an expunge older than this before a kill must survive an emptied metacache


class LedgerRun:
    def __init__(self, name: str, options: Options, seaweed, root: pathlib.Path, seed: int, store_wrapper: str = "",
                 s3_options: str = "", log=print):
        self.name, self.options, self.seaweed, self.log = name, options, seaweed, log
        self.rng = random.Random(seed)
        self.summary = Summary(name=name, seed=seed)
        self.users = user_names(options.users)
        run_id = f"{name}-{seed}-{time.time_ns() % 10**9}"
        self.ledger = Ledger(run_id)
        root.mkdir(parents=True, exist_ok=True)
        self.server = ObjectMail(options.binary, root, seaweed.url, self.users, run_id, store_wrapper=store_wrapper,
                                 s3_options=s3_options, upload_interval=options.upload_interval)
        self.problems = {"lost": set(), "resurrected": set(), "duplicated": set(), "misplaced": set(), "foreign": set()}
        self.store_fails = bool(store_wrapper)
        self.client_hangs = 0

    # ---------------------------------------------------------------------------------------------- the pieces

    def workload(self) -> Workload:
        o = self.options
        return Workload(self.server, self.ledger, self.users, seed=self.rng.randrange(2**31), lmtp=o.lmtp,
                        appenders=o.appenders, modifiers=o.modifiers, pop3=o.pop3, timeout=o.client_timeout)

    def load_for(self, seconds: float) -> bool:
        """Waits while the load runs; False when the server exited by itself (a crash)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.server.alive():
                return False
            time.sleep(0.2)
        return True

    def crashed(self, when: str) -> None:
        self.summary.crashes += 1
        self.summary.failures.append(f"server exited by itself ({when}), status {self.server.process.returncode}")
        self.log(f"  CRASH {when}: status {self.server.process.returncode}\n{self.server.log_tail()}")

    def stop_load(self, workload: Workload) -> None:
        hung = workload.stop(timeout=2 * self.options.client_timeout + 60)
        if hung:
            self.client_hangs += len(hung)
            self.summary.failures.append(f"clients still waiting {2 * self.options.client_timeout + 60:.0f} s after "
                                         f"the load stopped: {hung}")

    def restart(self, killed_at: float) -> str:
        empty = self.rng.random() < self.options.empty_metacache
        if empty:
            self.server.empty_metacache()
            self.ledger.forgive_recent_expunges(killed_at - self.options.expunge_settle)
        self.server.start()
        return "emptied metacache" if empty else "same metacache"

    def check(self, label: str, strict_expunges: bool = True) -> None:
        started = time.monotonic()
        findings = self.ledger.check(listing(self.server, self.users), self.users)
        new = []
        for name in self.problems:
            for item in getattr(findings, name):
                key = repr(item[0]) if name != "foreign" else repr(item)
                if key not in self.problems[name]:
                    self.problems[name].add(key)
                    new.append(f"{name}: {item}")
        totals = self.ledger.totals()
        self.log(f"  check {label}: {totals['ack']} acknowledged, {totals['refused']} refused, {totals['unknown']} "
                 f"unknown so far; {'OK' if not new else 'NEW PROBLEMS'} ({time.monotonic() - started:.1f} s)")
        for line in new[:20]:
            self.log(f"    {line}")
        if new:
            self.summary.failures.append(f"{label}: {len(new)} new problems, e.g. {new[:3]}")

    # ---------------------------------------------------------------------------------------------- the run

    def run(self, cycle_body) -> Summary:
        """`cycle_body(length)` runs one cycle's load and its events and leaves the server checked and running."""
        started = time.monotonic()
        sampler = None
        try:
            self.server.start()
            sampler = RSSSampler(self.server)
            while time.monotonic() - started < self.options.seconds:
                remaining = self.options.seconds - (time.monotonic() - started)
                length = min(remaining, self.rng.uniform(*self.options.cycle))
                self.summary.cycles += 1
                self.log(f"  cycle {self.summary.cycles}: {length:.0f} s")
                cycle_body(max(3.0, length))
            self.finish()
        except AssertionError as error:
            self.summary.failures.append(f"{type(error).__name__}: {error}")
            self.log(f"  ABORTED: {error}\n{self.server.log_tail()}")
        finally:
            if sampler is not None:
                sampler.close()
                self.summary.max_rss = sampler.peak
            if self.server.alive():
                self.server.kill()
        self.summarize(time.monotonic() - started)
        return self.summary

    def finish(self) -> None:
        """Clean stop (must exit 0), a start on the same metacache, a check; then a cold start on an emptied metacache
        and a check. The clean stop uploaded every index, so acknowledged expunges must hold even then — unless
        the store fails on purpose (randomfail), when that upload may have failed: then they may come back."""
        for label, empty in (("final (restart after a clean stop)", False), ("final (cold start, emptied metacache)", True)):
            status = self.server.stop()
            if status != 0:
                self.summary.failures.append(f"clean stop exited with status {status}")
                self.log(f"  clean stop: status {status}\n{self.server.log_tail()}")
            if empty:
                self.server.empty_metacache()
                if self.store_fails:
                    self.ledger.forgive_recent_expunges(float("-inf"))
            self.server.start()
            self.check(label)
        status = self.server.stop()
        if status != 0:
            self.summary.failures.append(f"final clean stop exited with status {status}")

    def summarize(self, seconds: float) -> None:
        totals = self.ledger.totals()
        s = self.summary
        s.seconds = seconds
        s.tries, s.acknowledged, s.refused, s.unknown = totals["tries"], totals["ack"], totals["refused"], totals["unknown"]
        s.temporary = totals["temporary"]
        s.lost = len(self.problems["lost"])
        s.resurrected = len(self.problems["resurrected"])
        s.duplicated = len(self.problems["duplicated"])
        s.extra.update(misplaced=len(self.problems["misplaced"]), foreign=len(self.problems["foreign"]),
                       starts=self.server.starts, start_failures=self.server.start_failures,
                       client_hangs=self.client_hangs)
        operations = self.ledger.operations
        s.extra["expunges_acknowledged"] = operations.get("uid expunge OK", 0)
        s.extra["stores"] = sum(count for kind, count in operations.items() if kind.startswith("store"))
        errors = sum(count for kind, count in operations.items() if kind.startswith("client error"))
        if errors:
            s.extra["client_errors"] = errors
        if s.tries == 0 or s.acknowledged == 0:
            s.failures.append("no save was acknowledged: the load did not run")
        if s.max_rss > self.options.rss_limit_mb * 2**20:
            s.failures.append(f"RSS reached {s.max_rss / 2**20:.0f} MB, over the limit of {self.options.rss_limit_mb} MB")


def kill9_cycle(run: LedgerRun):
    def body(length: float) -> None:
        workload = run.workload()
        alive = run.load_for(length)
        killed_at = time.monotonic()
        if alive:
            run.server.kill()
        else:
            run.crashed("during the load")
        run.stop_load(workload)
        how = run.restart(killed_at)
        run.check(f"after kill -9 and a restart on the {how}")
    return body


def s3_cycle(run: LedgerRun):
    def body(length: float) -> None:
        workload = run.workload()
        before = run.rng.uniform(0.2, 0.5) * length
        alive = run.load_for(before)
        event = "stall" if run.rng.random() < 0.5 else "kill"
        if event == "stall":
            pause = run.rng.uniform(*run.options.stall)
            run.log(f"    SeaweedFS stopped (SIGSTOP) for {pause:.0f} s")
            run.seaweed.stall()
            try:
                alive = alive and run.load_for(pause)
            finally:
                run.seaweed.resume()
        else:
            down = run.rng.uniform(*run.options.s3_down)
            run.log(f"    SeaweedFS killed (SIGKILL), restarted after {down:.0f} s")
            run.seaweed.kill()
            alive = alive and run.load_for(down)
            run.seaweed.restart()
        alive = alive and run.load_for(max(3.0, length - before))
        run.stop_load(workload)
        if not alive or not run.server.alive():
            run.crashed(f"during the load with an S3 {event}")
            run.server.start()
        run.check(f"live, after an S3 {event}")
        killed_at = time.monotonic()
        run.server.kill()
        how = run.restart(killed_at)
        run.check(f"after kill -9 and a restart on the {how}")
    return body


def run_scenario(name: str, options: Options, seaweed, root: pathlib.Path, seed: int, log=print) -> Summary:
    if name == "kill9":
        run = LedgerRun(name, options, seaweed, root, seed, log=log)
        return run.run(kill9_cycle(run))
    if name == "randomfail":
        run = LedgerRun(name, options, seaweed, root, seed, store_wrapper=f"randomfail:all={options.randomfail}:",
                        log=log)
        return run.run(kill9_cycle(run))
    if name == "s3":
        run = LedgerRun(name, options, seaweed, root, seed, s3_options=options.s3_options, log=log)
        return run.run(s3_cycle(run))
    raise ValueError(f"unknown ledger scenario {name}")
