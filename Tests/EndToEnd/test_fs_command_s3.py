"""`objectmail fs` round-trips a file through compress:gz:6:s3: against a real S3 server (SeaweedFS,
started with MinIOTest/seaweedfs.sh on 127.0.0.1), as an operator would inspect a bucket."""
import os
import subprocess

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def s3_url(tmp_path_factory):
    if os.environ.get("OBJECTMAIL_TEST_S3_URL"):
        yield os.environ["OBJECTMAIL_TEST_S3_URL"]
        return
    directory = tmp_path_factory.mktemp("seaweedfs")
    started = subprocess.run(["sh", str(REPO / "MinIOTest/seaweedfs.sh"), "start", str(directory)],
                             capture_output=True, text=True, timeout=180, check=True)
    values = dict(line[len("export "):].split("=", 1) for line in started.stdout.splitlines() if line.startswith("export "))
    try:
        yield values["OBJECTMAIL_TEST_S3_URL"].strip("'")
    finally:
        subprocess.run(["sh", str(REPO / "MinIOTest/seaweedfs.sh"), "stop", str(directory)], capture_output=True, timeout=60)


def test_round_trip_through_compress_and_s3(run, objectmail_bin, s3_url, tmp_path):
    pipeline = f"compress:gz:6:s3:{s3_url}"
    original = tmp_path / "mail.eml"
    original.write_bytes(b"Subject: round trip\r\n\r\n" + os.urandom(3000).hex().encode() * 20)

    put = run("fs", "put", pipeline, str(original), "fs-test/mail.eml")
    assert put.returncode == 0, put.stderr
    got = subprocess.run([objectmail_bin, "fs", "get", pipeline, "fs-test/mail.eml"], capture_output=True, timeout=60)
    assert got.returncode == 0, got.stderr
    assert got.stdout == original.read_bytes()

    # Stored compressed: the raw object is gzip and smaller.
    raw = subprocess.run([objectmail_bin, "fs", "get", f"s3:{s3_url}", "fs-test/mail.eml"], capture_output=True, timeout=60)
    assert raw.stdout[:2] == b"\x1f\x8b" and len(raw.stdout) < len(original.read_bytes())

    listing = run("fs", "iter", pipeline, "fs-test/")
    assert listing.stdout.split() == ["fs-test/mail.eml"]
    assert run("fs", "delete", pipeline, "fs-test/mail.eml").returncode == 0
    missing = run("fs", "stat", pipeline, "fs-test/mail.eml")
    assert missing.returncode == 68 and "not found" in missing.stderr
    secret = s3_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert secret not in put.stderr + missing.stderr + listing.stdout
