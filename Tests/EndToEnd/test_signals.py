"""The operator's signals as with Dovecot: SIGHUP never kills the server, SIGUSR1 reopens the log files, and the
log is appended to (so `logrotate copytruncate` leaves no NUL hole)."""
import os
import signal
import smtplib
import time

from conftest import wait_for


def lmtp_round_trip(server):
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", ["jane@example.com"], b"Subject: s\r\n\r\nbody\r\n")



def test_sighup_without_tls_keeps_serving(lmtp_server):
    server = lmtp_server(extra="ssl = no\n")
    server.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "SIGHUP" in server.log.read_text())
    assert server.process.poll() is None
    lmtp_round_trip(server)
    assert server.stop() == 0


def test_sigusr1_reopens_a_moved_log_and_copytruncate_leaves_no_hole(lmtp_server):
    server = lmtp_server()
    lmtp_round_trip(server)
    # logrotate's default: move the file, then tell the server.
    rotated = server.log.with_name("objectmail.log.1")
    os.rename(server.log, rotated)
    server.process.send_signal(signal.SIGUSR1)
    assert wait_for(lambda: server.log.exists() and "SIGUSR1: log files reopened" in server.log.read_text())
    lmtp_round_trip(server)
    assert wait_for(lambda: "saved mail to INBOX" in server.log.read_text())
    # copytruncate: the file is cut to nothing under the server, which keeps writing at the new end.
    os.truncate(server.log, 0)
    lmtp_round_trip(server)
    assert wait_for(lambda: "saved mail to INBOX" in server.log.read_text())
    assert server.stop() == 0
    content = server.log.read_bytes()
    assert not content.startswith(b"\x00") and b"\x00" not in content, content[:200]


def test_stop_reload_and_log_reopen_verbs_find_the_server_by_its_pid_file(lmtp_server, run):
    server = lmtp_server(extra="ssl = no\n")
    pid_file = server.root / "var/run/objectmail/master.pid"
    assert wait_for(pid_file.exists)
    assert int(pid_file.read_text()) == server.process.pid
    # A second server on the same base_dir is refused, as Dovecot refuses a second master.
    second = run("serve", "-c", str(server.config), cwd=server.root)
    assert second.returncode == 1
    assert f"already running with PID {server.process.pid}" in server.log.read_text()
    assert run("reload", "-c", str(server.config), cwd=server.root).returncode == 0
    assert wait_for(lambda: "SIGHUP" in server.log.read_text())
    os.rename(server.log, server.log.with_name("rotated.log"))
    assert run("log", "reopen", "-c", str(server.config), cwd=server.root).returncode == 0
    assert wait_for(lambda: server.log.exists() and "log files reopened" in server.log.read_text())
    stopped = run("stop", "-c", str(server.config), cwd=server.root, timeout=180)
    assert stopped.returncode == 0, stopped.stderr
    assert server.process.poll() == 0
    assert not pid_file.exists()
    # With nothing running, the verbs say so.
    refused = run("reload", "-c", str(server.config), cwd=server.root)
    assert refused.returncode == 1 and "not running" in refused.stderr


def test_systemd_notify_protocol(lmtp_server, tmp_path, monkeypatch):
    # What systemd's Type=notify hears: READY once listening, RELOADING/READY around a SIGHUP, STOPPING at SIGTERM,
    # and WATCHDOG keep-alives at half of WATCHDOG_USEC.
    import socket
    path = str(tmp_path / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(20)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "400000")
    server = lmtp_server(extra="ssl = no\n")

    def next_message(wanted):
        while True:
            message = listener.recv(4096).decode()
            if wanted in message.split("\n"):
                return message

    ready = next_message("READY=1")
    assert f"MAINPID={server.process.pid}" in ready
    next_message("WATCHDOG=1")
    server.process.send_signal(signal.SIGHUP)
    next_message("RELOADING=1")
    next_message("READY=1")
    server.process.send_signal(signal.SIGTERM)
    next_message("STOPPING=1")
    assert server.process.wait(timeout=60) == 0
