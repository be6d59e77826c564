"""The reliability suite (issue 31): kill -9 torture with a ledger, a randomfail soak, S3 stalled and killed, and
structure-aware protocol fuzzing, all against real processes (SeaweedFS and an `objectmail serve`).

    OBJECTMAIL_BIN=/path/to/objectmail python3 -m Tests.Reliability --brief        # CI: under 5 minutes
    OBJECTMAIL_BIN=/path/to/objectmail python3 -m Tests.Reliability --minutes 30   # the long run

docs/reliability.md describes each scenario and the figures measured."""
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
# The end-to-end tests' helpers (free ports, waiting for listeners, SeaweedFS) and the benchmark suite's process
# figures are imported, not copied; both directories are plain folders of modules.
for folder in (REPO / "Tests" / "EndToEnd", REPO / "bench" / "suite"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
