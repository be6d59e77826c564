"""The operator's signals as with Dovecot: SIGHUP never kills the server, SIGUSR1 reopens the log files, and the
log is appended to (so `logrotate copytruncate` leaves no NUL hole)."""
import os
import signal
import smtplib
import time


def lmtp_round_trip(server):
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", ["jane@example.com"], b"Subject: s\r\n\r\nbody\r\n")


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


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
