"""Quota warnings (issue 28, seeds 001 and 002): `quota_warning = storage=95%% quota-warning 95 %u` with
`service quota-warning { executable = script PATH  user = … }` runs PATH with the arguments when a save or delivery
takes the usage over the limit, and `-storage=100%%` when an expunge takes it back below, as Dovecot 2.3 does:
only the first matching warning of a change runs, so they are listed from the highest limit down."""
import os
import pathlib
import pwd
import shutil
import smtplib
import tempfile
import textwrap
import time

import pytest

from conftest import command, raw_imap

PLUGINS = "mail_plugins = $mail_plugins quota imap_quota\n"


@pytest.fixture
def script_dir():
    """A directory the script's user can reach (pytest's tmp_path is 0700 root's when the tests run as root)."""
    directory = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-quota-warning-"))
    os.chmod(directory, 0o777)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def service(directory: pathlib.Path, user: str = "nobody") -> str:
    script = directory / "quota-warning.sh"
    script.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        echo "$* uid=$(id -u)" >> {directory}/calls
        echo "warned $1"
        """))
    os.chmod(script, 0o755)
    return textwrap.dedent(f"""\
        service quota-warning {{
          executable = script {script}
          user = {user}
          unix_listener quota-warning {{
            user = {user}
          }}
        }}
        """)


def calls(directory: pathlib.Path, count: int) -> list[str]:
    """The script's calls so far, waiting (warnings run after the change, off the client's path) for `count`."""
    path = directory / "calls"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            time.sleep(0.3)  # and no more than that
            return path.read_text().splitlines()
        time.sleep(0.05)
    return path.read_text().splitlines() if path.exists() else []


def mail(size: int) -> bytes:
    head = b"From: a@example.com\r\nSubject: q\r\n\r\n"
    return head + b"x" * (size - len(head))


def append(sock, reader, tag: bytes, body: bytes) -> bytes:
    return command(sock, reader, tag, b"APPEND INBOX {%d+}\r\n%s" % (len(body), body))[-1]


def test_storage_warnings_fire_when_crossing_up_and_back_below(imap_server, script_dir):
    server = imap_server(extra=PLUGINS + service(script_dir), plugin=textwrap.indent(textwrap.dedent("""\
        quota = count:User quota
        quota_rule = *:storage=10k
        quota_warning = storage=100%% quota-warning 100 %u
        quota_warning2 = storage=95%% quota-warning 95 %u
        quota_warning3 = storage=80%% quota-warning 80 %u
        quota_warning4 = -storage=100%% quota-warning below %u
        """), "  "))
    uid = pwd.getpwnam("nobody").pw_uid if os.getuid() == 0 else os.getuid()
    sock, reader = raw_imap(server, "jane@example.com")
    assert append(sock, reader, b"a1", mail(7000)).startswith(b"a1 OK")  # 68 %
    assert calls(script_dir, 1) == []
    assert append(sock, reader, b"a2", mail(1500)).startswith(b"a2 OK")  # 83 %: over 80 %
    assert calls(script_dir, 1) == [f"80 jane@example.com uid={uid}"]
    assert append(sock, reader, b"a3", mail(1300)).startswith(b"a3 OK")  # 95.7 %: over 95 %
    assert calls(script_dir, 2)[1:] == [f"95 jane@example.com uid={uid}"]
    # An LMTP delivery may go over the limit within quota_grace (10 %): over 100 %.
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", ["jane@example.com"], mail(600))
    assert calls(script_dir, 3)[2:] == [f"100 jane@example.com uid={uid}"]
    # Expunging the delivery takes the usage back under 100 %: the "below" warning.
    command(sock, reader, b"s", b"SELECT INBOX")
    command(sock, reader, b"d", b"STORE 4 +FLAGS.SILENT (\\Deleted)")
    assert command(sock, reader, b"e", b"EXPUNGE")[-1].startswith(b"e OK")
    assert calls(script_dir, 4)[3:] == [f"below jane@example.com uid={uid}"]
    command(sock, reader, b"o", b"LOGOUT")
    log = server.log.read_text()
    assert "quota: Executing warning: quota-warning 95 jane@example.com (because bytes=8500 -> 9800 over limit 9728)" in log, log
    assert "service quota-warning: " in log and ": warned 95" in log, log


def test_one_change_over_several_limits_runs_only_the_first_warning(imap_server, script_dir):
    server = imap_server(extra=PLUGINS + service(script_dir), plugin=textwrap.indent(textwrap.dedent("""\
        quota = count:User quota
        quota_rule = *:storage=10k
        quota_warning = storage=95%% quota-warning 95 %u
        quota_warning2 = storage=80%% quota-warning 80 %u
        """), "  "))
    sock, reader = raw_imap(server, "jane@example.com")
    assert append(sock, reader, b"a1", mail(9900)).startswith(b"a1 OK")
    assert [line.split(" uid=")[0] for line in calls(script_dir, 1)] == ["95 jane@example.com"]


def test_message_count_warnings(imap_server, script_dir):
    server = imap_server(extra=PLUGINS + service(script_dir), plugin=textwrap.indent(textwrap.dedent("""\
        quota = count:User quota
        quota_rule = *:messages=4
        quota_warning = messages=75%% quota-warning count %n
        """), "  "))
    sock, reader = raw_imap(server, "jane@example.com")
    for tag in [b"a1", b"a2"]:
        assert append(sock, reader, tag, mail(100)).startswith(tag + b" OK")
    assert calls(script_dir, 1) == []
    assert append(sock, reader, b"a3", mail(100)).startswith(b"a3 OK")
    assert [line.split(" uid=")[0] for line in calls(script_dir, 1)] == ["count jane"]


def test_a_warning_without_its_script_service_stops_the_server(objectmail_bin, tmp_path):
    import subprocess
    config = tmp_path / "objectmail.conf"
    config.write_text(textwrap.dedent(f"""\
        mail_home = {tmp_path}/home/%u
        mail_plugins = quota
        plugin {{
          quota = count:User quota
          quota_rule = *:storage=1M
          quota_warning = storage=95%% quota-warning 95 %u
        }}
        """))
    result = subprocess.run([objectmail_bin, "serve", "-c", str(config)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert "quota_warning: no script service listens on 'quota-warning'" in result.stdout + result.stderr, result
