"""Runs the reliability scenarios and prints one SUMMARY line each; exit status 1 when any failed.

    python3 -m Tests.Reliability --brief                          # each scenario ~40 s (CI)
    python3 -m Tests.Reliability --minutes 30                     # 30 minutes shared by the scenarios
    python3 -m Tests.Reliability --scenarios randomfail --minutes 30   # the issue's soak: kills + 10 % randomfail
    python3 -m Tests.Reliability --scenarios kill9 --seed 1234 --minutes 5   # replay with a printed seed

The binary is OBJECTMAIL_BIN (or --binary). Everything is written under a temporary directory, removed at the end
unless a scenario failed or --keep is given."""
import argparse
import dataclasses
import json
import os
import pathlib
import shutil
import signal
import sys
import tempfile
import time

from .cluster import SeaweedFS
from .ledger_scenarios import Options, run_scenario
from .protocol_fuzz import FuzzOptions, run_fuzz

SCENARIOS = ["kill9", "randomfail", "s3", "fuzz"]
# Shares of --minutes when every scenario runs.
WEIGHTS = {"kill9": 0.25, "randomfail": 0.35, "s3": 0.25, "fuzz": 0.15}
BRIEF_SECONDS = 30


def pair(text: str) -> tuple:
    low, high = (float(part) for part in text.split(","))
    return (low, high)


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 -m Tests.Reliability", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10, help="total load time shared by the scenarios")
    parser.add_argument("--brief", action="store_true", help=f"each scenario ~{BRIEF_SECONDS} s, short cycles (CI)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {SCENARIOS}")
    parser.add_argument("--seed", type=int, default=None, help="replays a run (printed at its start)")
    parser.add_argument("--binary", default=os.environ.get("OBJECTMAIL_BIN"))
    parser.add_argument("--cycle", type=pair, default=None, help="seconds of load between kills, MIN,MAX (30,90)")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--lmtp", type=int, default=3, help="LMTP client connections")
    parser.add_argument("--appenders", type=int, default=2, help="IMAP APPEND clients")
    parser.add_argument("--modifiers", type=int, default=2, help="IMAP STORE/EXPUNGE clients")
    parser.add_argument("--pop3", type=int, default=1, help="POP3 clients")
    parser.add_argument("--randomfail", type=int, default=10, help="percent of store operations failed (randomfail)")
    parser.add_argument("--empty-metacache", type=float, default=0.3,
                        help="probability that a restart after kill -9 starts on an emptied metacache")
    parser.add_argument("--stall", type=pair, default=None, help="seconds SeaweedFS stays SIGSTOPped, MIN,MAX (20,60)")
    parser.add_argument("--s3-options", default="timeout=3000&max_retries=2",
                        help="S3 URL options of the s3 scenario (short timeouts: PUTs time out during a stall)")
    parser.add_argument("--client-timeout", type=float, default=120, help="seconds a client waits for an answer")
    parser.add_argument("--rss-limit-mb", type=int, default=1024, help="a scenario fails above this server RSS")
    parser.add_argument("--fuzz-answer-timeout", type=float, default=30,
                        help="seconds a fuzzed connection may stay silent before it counts as hung")
    parser.add_argument("--workdir", type=pathlib.Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--json", type=pathlib.Path, default=None, help="also write the summaries as JSON here")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = arguments(argv)
    # SIGTERM (a CI deadline, kill) unwinds like ^C, so the servers and SeaweedFS are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not args.binary or not os.access(args.binary, os.X_OK):
        print("set OBJECTMAIL_BIN (or --binary) to an objectmail binary", file=sys.stderr)
        return 2
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        print(f"unknown scenarios {unknown}; known: {SCENARIOS}", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int(time.time() * 1000) % 10**9
    share = sum(WEIGHTS[name] for name in names)
    seconds = {name: BRIEF_SECONDS if args.brief else args.minutes * 60 * WEIGHTS[name] / share for name in names}
    workdir = args.workdir or pathlib.Path(tempfile.mkdtemp(prefix="objectmail-reliability-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"reliability: seed={seed} scenarios={','.join(names)} binary={args.binary} workdir={workdir} "
          f"({'brief' if args.brief else f'{args.minutes} minutes'})", flush=True)

    def log(text: str) -> None:
        print(text, flush=True)

    seaweed = SeaweedFS(workdir / "seaweedfs")
    summaries = []
    try:
        for index, name in enumerate(names):
            scenario_seed = seed + index
            log(f"== {name} (seed {scenario_seed}, {seconds[name]:.0f} s)")
            root = workdir / name
            if name == "fuzz":
                options = FuzzOptions(binary=args.binary, seconds=seconds[name], rss_limit_mb=args.rss_limit_mb,
                                      answer_timeout=args.fuzz_answer_timeout)
                summary = run_fuzz(options, seaweed, root, scenario_seed, log=log)
            else:
                options = Options(
                    binary=args.binary, seconds=seconds[name],
                    cycle=args.cycle or ((10, 20) if args.brief else (30, 90)),
                    users=args.users, lmtp=args.lmtp, appenders=args.appenders, modifiers=args.modifiers,
                    pop3=args.pop3, client_timeout=args.client_timeout, empty_metacache=args.empty_metacache,
                    randomfail=args.randomfail, stall=args.stall or ((6, 10) if args.brief else (20, 60)),
                    s3_down=(1, 3) if args.brief else (2, 8), s3_options=args.s3_options,
                    rss_limit_mb=args.rss_limit_mb)
                summary = run_scenario(name, options, seaweed, root, scenario_seed, log=log)
            summaries.append(summary)
            log(summary.line())
            for failure in summary.failures:
                log(f"  FAILURE: {failure}")
    finally:
        seaweed.close()
    print("\n".join(summary.line() for summary in summaries), flush=True)
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(summary) for summary in summaries], indent=1))
    failed = any(summary.failures for summary in summaries)
    if failed or args.keep:
        print(f"work directory kept: {workdir}  (replay: --seed {seed} --scenarios {','.join(names)})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
