"""SIGHUP as Dovecot's `doveadm reload`: the configuration is read again; listeners, protocols, authentication,
TLS, quota rules and log settings change for what comes next, open sessions go on, settings that need a restart
are named, and a configuration that does not load changes nothing."""
import imaplib
import signal
import smtplib
import socket
import time

import pytest

from conftest import wait_for, free_port, wait_for_port

MESSAGE = b"From: a@example.org\r\nSubject: reload\r\n\r\nbody\r\n"



def reload(server, marker="SIGHUP: configuration", log=None):
    log = log or server.log
    before = log.read_text().count(marker) if log.exists() else 0
    server.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: log.exists() and log.read_text().count(marker) > before), server.log.read_text()[-3000:]


def test_sighup_applies_listeners_and_quota_and_names_what_needs_a_restart(imap_server):
    server = imap_server(extra="ssl = no\nmail_plugins = $mail_plugins quota\n",
                         plugin="  quota = count:User quota\n  quota_rule = *:storage=100M\n")
    old_port = server.imap_port
    session = server.imap("jane@example.com")
    session.select("INBOX")
    for _ in range(2):
        assert session.append("INBOX", None, None, MESSAGE)[0] == "OK"

    new_port = free_port()
    text = server.config.read_text()
    text = text.replace(f"port = {old_port}", f"port = {new_port}").replace("*:storage=100M", "*:messages=2")
    server.config.write_text(text + "mail_prefetch_count = 3\n")
    reload(server)
    log = server.log.read_text()
    assert f"stopped listening: imap on 127.0.0.1:{old_port}" in log
    assert f"listening: imap on 127.0.0.1:{new_port}" in log
    assert "restart to apply: mail_prefetch_count" in log

    # The new listener serves; the old one is gone; the session opened before goes on, under the new quota rules.
    wait_for_port(new_port, server.process)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", old_port), timeout=5)
    fresh = imaplib.IMAP4("127.0.0.1", new_port, timeout=60)
    fresh.login("jane@example.com", "secret")
    assert session.noop()[0] == "OK"
    status, data = session.append("INBOX", None, None, MESSAGE)
    assert status == "NO" and b"OVERQUOTA" in data[0], data
    assert fresh.select("INBOX") == ("OK", [b"2"])
    fresh.logout()
    session.logout()


def test_sighup_with_a_configuration_that_does_not_load_changes_nothing(imap_server):
    server = imap_server(extra="ssl = no\n")
    good = server.config.read_text()
    server.config.write_text(good + "no_such_setting = 1\n")
    reload(server, marker="configuration not reloaded")
    assert "no_such_setting" in server.log.read_text()
    client = server.imap("jane@example.com")
    assert client.select("INBOX")[0] == "OK"
    client.logout()
    # A protocol whose listener cannot be built is refused as a whole too: the old listeners stay.
    server.config.write_text(good.replace("protocols = lmtp imap", "protocols = lmtp imap pop3"))
    reload(server, marker="configuration not reloaded")
    assert "service pop3 has no inet_listener" in server.log.read_text()
    server.config.write_text(good)
    reload(server)
    assert server.imap("jane@example.com").logout()[0] == "BYE"


def test_sighup_moves_the_log_to_a_new_log_path(lmtp_server):
    server = lmtp_server(extra="ssl = no\n")
    moved = server.root / "moved.log"
    server.config.write_text(server.config.read_text().replace(f"log_path = {server.log}", f"log_path = {moved}"))
    reload(server, log=moved)
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", ["jane@example.com"], MESSAGE)
    assert wait_for(lambda: moved.exists() and "saved mail to INBOX" in moved.read_text())
    assert "saved mail to INBOX" not in server.log.read_text()


def test_log_timestamp_as_dovecot_writes_it(lmtp_server):
    import re
    server = lmtp_server(extra='ssl = no\nlog_timestamp = "%Y-%m-%d %H:%M:%S.%{usecs} "\nsyslog_facility = local3\n')
    first = server.log.read_text().splitlines()[0]
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} objectmail: Info: ", first), first


def test_sighup_names_mail_fsync_as_needing_a_restart(lmtp_server):
    # The metacache and the fscache are built once with it.
    server = lmtp_server(extra="ssl = no\n")
    server.config.write_text(server.config.read_text() + "mail_fsync = always\n")
    reload(server)
    assert "SIGHUP: restart to apply: mail_fsync" in server.log.read_text()
