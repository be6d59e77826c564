"""Shared fixtures for the end-to-end tests: they drive the real objectmail binary."""
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def objectmail_bin() -> str:
    path = os.environ.get("OBJECTMAIL_BIN")
    if not path:
        path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip() + "/objectmail"
    assert os.access(path, os.X_OK), f"objectmail binary not built at {path}"
    return path


@pytest.fixture
def run(objectmail_bin):
    """Runs `objectmail ARGS…` and returns the completed process (never raises on exit status)."""
    def runner(*args, cwd=REPO, timeout=60):
        return subprocess.run([objectmail_bin, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return runner
