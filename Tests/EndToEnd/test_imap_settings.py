"""IMAP session settings with Dovecot's names (imap_max_line_length, mail_max_userip_connections,
imap_logout_format, imap_client_workarounds, mail_max_keyword_length, imap_capability), the
inactivity timeouts and the BYE on SIGTERM, against a real `objectmail serve`."""
import re
import subprocess
import time

from conftest import raw_imap, stop, until_tagged

USER = "jane@example.com"


def test_overlong_line_gets_bad_and_the_session_goes_on(imap_server):
    server = imap_server(extra="imap_max_line_length = 2k\n")
    sock, reader = raw_imap(server, USER)
    sock.sendall(b"a1 NOOP " + b"x" * 3000 + b"\r\na2 NOOP\r\n")
    assert reader.readline() == b"a1 BAD Command line too long\r\n"
    assert reader.readline() == b"a2 OK NOOP completed.\r\n"
    # Just below the limit is fine.
    sock.sendall(b"a3 SEARCH" + b" ALL" * 400 + b"\r\n")
    assert until_tagged(reader, b"a3")[-1].startswith(b"a3 BAD No mailbox selected")
    sock.close()


def test_mail_max_userip_connections_setting(imap_server):
    server = imap_server(extra="mail_max_userip_connections = 2\n")
    kept = [raw_imap(server, USER) for _ in range(2)]
    sock, reader = raw_imap(server)
    sock.sendall(b"x LOGIN jane@example.com secret\r\n")
    assert reader.readline() == (b"* BYE Maximum number of connections from user+IP exceeded "
                                 b"(mail_max_userip_connections=2)\r\n")
    assert reader.readline() == b""
    # Another user on the same IP is counted separately.
    other, _ = raw_imap(server, "joe@example.com")
    for connection, _ in kept + [(other, None)]:
        connection.close()


def test_pre_login_timeout_says_bye(imap_server):
    server = imap_server(extra="imap_login_timeout = 1s\nauth_failure_delay = 0\n")
    sock, reader = raw_imap(server)
    started = time.monotonic()
    assert reader.readline() == b"* BYE Disconnected for inactivity.\r\n"
    assert reader.readline() == b""
    assert 0.9 <= time.monotonic() - started < 10
    sock.close()
    # A failed login, then the client goes away: imap-login's "Aborted login" line (fail2ban looks for it).
    sock, reader = raw_imap(server)
    sock.sendall(b"a LOGIN jane@example.com wrong\r\nb AUTHENTICATE PLAIN AGpvZUBleGFtcGxlLmNvbQB3cm9uZw==\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b NO [AUTHENTICATIONFAILED]")
    reader.close()  # the socket closes only once its file object is closed too
    sock.close()
    time.sleep(0.5)  # the server notices the close before it is told to stop
    stop(server.process)
    log = server.log.read_text()
    assert re.search(r"imap<[^>]+>: Info: Disconnected: Inactivity \(no auth attempts in 1 secs\): user=<>, "
                     r"rip=127\.0\.0\.1, rport=\d+, lip=127\.0\.0\.1, lport=\d+, session=<[^>]+>\n", log), log
    assert re.search(r"Info: Aborted login \(auth failed, 2 attempts in \d+ secs\): user=<joe@example\.com>, method=PLAIN, "
                     r"rip=127\.0\.0\.1, rport=\d+, lip=127\.0\.0\.1, lport=\d+, session=<[^>]+>\n", log), log


def test_autologout_spares_idle_sessions(imap_server):
    server = imap_server(extra="imap_autologout_timeout = 2s\nimap_idle_notify_interval = 1s\n")
    quiet, quiet_reader = raw_imap(server, USER)
    idling, idle_reader = raw_imap(server, USER)
    busy, busy_reader = raw_imap(server, USER)
    idling.sendall(b"i IDLE\r\n")
    assert idle_reader.readline() == b"+ idling\r\n"
    # A client that keeps sending commands is never logged out.
    for number in range(5):
        busy.sendall(b"n%d NOOP\r\n" % number)
        assert busy_reader.readline() == b"n%d OK NOOP completed.\r\n" % number
        time.sleep(0.8)
    # By now the silent one is gone.
    assert quiet_reader.readline() == b"* BYE Disconnected for inactivity.\r\n"
    assert quiet_reader.readline() == b""
    # The IDLE one only got keep-alives, and still answers.
    for _ in range(3):
        assert idle_reader.readline() == b"* OK Still here\r\n"
    idling.sendall(b"DONE\r\n")
    lines = until_tagged(idle_reader, b"i")
    assert lines[-1] == b"i OK Idle completed.\r\n"
    assert all(line == b"* OK Still here\r\n" for line in lines[:-1])
    for connection in (quiet, idling, busy):
        connection.close()
    stop(server.process)
    log = server.log.read_text()
    assert re.search(r"imap\(jane@example\.com\)<[^>]+>: Info: Disconnected for inactivity in=\d+ out=\d+ deleted=0", log), log


def test_sigterm_says_bye_to_every_session(imap_server):
    server = imap_server()
    idling, idle_reader = raw_imap(server, USER)
    selected, selected_reader = raw_imap(server, USER)
    waiting, waiting_reader = raw_imap(server)
    idling.sendall(b"i IDLE\r\n")
    assert idle_reader.readline() == b"+ idling\r\n"
    selected.sendall(b"s SELECT INBOX\r\n")
    assert until_tagged(selected_reader, b"s")[-1].startswith(b"s OK")
    server.process.send_signal(15)
    for reader in (idle_reader, selected_reader, waiting_reader):
        assert reader.readline() == b"* BYE Server shutting down.\r\n"
        assert reader.readline() == b""
    assert server.process.wait(timeout=30) == 0
    for connection in (idling, selected, waiting):
        connection.close()
    assert "Disconnected: Server shutting down." in server.log.read_text()


def test_logout_format_counts_what_the_session_did(imap_server):
    server = imap_server(extra="imap_logout_format = in=%i out=%o deleted=%{deleted} expunged=%{expunged} "
                               "trashed=%{trashed} hdr=%{fetch_hdr_count}/%{fetch_hdr_bytes} "
                               "body=%{fetch_body_count}/%{fetch_body_bytes} session=%{session}\n")
    client = server.imap(USER)
    assert client._simple_command("CREATE", "Trash", "(USE (\\Trash))")[0] == "OK"
    client.append("INBOX", None, None, b"Subject: a\r\n\r\n12345\r\n")
    client.append("INBOX", None, None, b"Subject: b\r\n\r\n67890\r\n")
    client.select("INBOX")
    client.fetch("1:2", "(BODY.PEEK[HEADER])")
    client.fetch("1", "(BODY.PEEK[TEXT])")
    client.copy("1", "Trash")
    client.store("1:2", "+FLAGS", "(\\Deleted)")
    client.expunge()
    client.logout()
    stop(server.process)
    log = server.log.read_text()
    match = re.search(r"Info: Logged out in=(\d+) out=(\d+) deleted=2 expunged=2 trashed=1 hdr=2/28 body=1/7 session=(\S+)", log)
    assert match, log
    assert int(match.group(1)) > 100 and int(match.group(2)) > 500


def test_keyword_length_limit(imap_server):
    server = imap_server(extra="mail_max_keyword_length = 10\n")
    sock, reader = raw_imap(server, USER)
    sock.sendall(b"a APPEND INBOX (elevenchars) {5+}\r\nx\r\n\r\n\r\n")
    assert reader.readline() == b"a NO Invalid keyword 'elevenchars': Keyword length too long\r\n"
    sock.sendall(b"b APPEND INBOX (tenchars10) {5+}\r\nx\r\n\r\n\r\n")
    assert until_tagged(reader, b"b")[-1].startswith(b"b OK [APPENDUID ")
    sock.sendall(b"s SELECT INBOX\r\nt STORE 1 +FLAGS (muchtoolongword)\r\n")
    until_tagged(reader, b"s")
    assert reader.readline() == b"t NO Invalid keyword 'muchtoolongword': Keyword length too long\r\n"
    sock.close()


def test_workaround_tb_extra_mailbox_sep(imap_server):
    server = imap_server(extra="imap_client_workarounds = tb-extra-mailbox-sep tb-lsub-flags\n")
    client = server.imap(USER)
    client.create("Archive")
    assert client.select('"Archive/"')[0] == "OK"
    assert client.status('"Archive/"', "(MESSAGES)")[0] == "OK"
    client.logout()


def test_workaround_delay_newmail_keeps_exists_for_noop(imap_server):
    server = imap_server(extra="imap_client_workarounds = delay-newmail\n")
    other = server.imap(USER)
    other.append("INBOX", None, None, b"Subject: one\r\n\r\n1\r\n")
    sock, reader = raw_imap(server, USER)
    sock.sendall(b"s SELECT INBOX\r\n")
    assert b"* 1 EXISTS\r\n" in until_tagged(reader, b"s")
    other.append("INBOX", None, None, b"Subject: two\r\n\r\n2\r\n")
    sock.sendall(b"f FETCH 1 (UID)\r\n")
    assert until_tagged(reader, b"f") == [b"* 1 FETCH (UID 1)\r\n", b"f OK Fetch completed.\r\n"]
    sock.sendall(b"n NOOP\r\n")
    assert until_tagged(reader, b"n") == [b"* 2 EXISTS\r\n", b"* 2 RECENT\r\n", b"n OK NOOP completed.\r\n"]
    sock.close()
    other.logout()


def test_imap_capability_appends_or_replaces(imap_server):
    server = imap_server(extra="imap_capability = +XTEST XOTHER\n")
    client = server.imap(USER)
    words = client.capability()[1][0].split()
    assert b"XTEST" in words and b"XOTHER" in words and b"IDLE" in words
    client.logout()
    replaced = imap_server(extra="imap_capability = IMAP4rev1 IDLE\n")
    client = replaced.imap(USER)
    assert client.capability()[1][0] == b"IMAP4rev1 IDLE"
    client.logout()


def test_unknown_workaround_is_a_config_error(imap_server, objectmail_bin):
    server = imap_server()
    stop(server.process)
    config = server.config.read_text() + "imap_client_workarounds = outlook-idle-bogus\n"
    server.config.write_text(config)
    result = subprocess.run([objectmail_bin, "serve", "-c", str(server.config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "imap_client_workarounds: unknown workaround outlook-idle-bogus" in result.stdout + result.stderr + server.log.read_text()


def test_append_above_quota_max_mail_size_is_toobig(imap_server):
    server = imap_server(plugin="  quota_max_mail_size = 1k\n")
    sock, reader = raw_imap(server, USER)
    # A synchronizing literal is refused before the client sends it (no "+" goes out).
    sock.sendall(b"a APPEND INBOX {2000}\r\n")
    assert reader.readline() == b"a NO [TOOBIG] Literal larger than 1024 bytes\r\n"
    # A non-synchronizing one is on its way: it is skipped, and the session goes on.
    sock.sendall(b"b APPEND INBOX {2000+}\r\n" + b"x" * 2000 + b"\r\nc NOOP\r\n")
    assert reader.readline() == b"b NO [TOOBIG] Literal larger than 1024 bytes\r\n"
    assert reader.readline() == b"c OK NOOP completed.\r\n"
    sock.sendall(b"d APPEND INBOX {1000}\r\n")
    assert reader.readline().startswith(b"+ ")
    sock.sendall(b"Subject: fits\r\n\r\n" + b"y" * 983 + b"\r\n")
    assert until_tagged(reader, b"d")[-1].startswith(b"d OK [APPENDUID ")
    sock.close()


def test_internaldate_is_shown_in_the_servers_zone_like_dovecot(imap_server, monkeypatch):
    # Dovecot writes INTERNALDATE with localtime(); SEARCH ON/SINCE/BEFORE use the same days.
    monkeypatch.setenv("TZ", "America/New_York")
    server = imap_server()
    client = server.imap(USER)
    client.append("INBOX", None, '"22-Nov-2026 10:00:00 +0100"', b"Subject: morning\r\n\r\nx\r\n")
    client.append("INBOX", None, '"23-Nov-2026 03:00:00 +0000"', b"Subject: late\r\n\r\ny\r\n")
    client.append("INBOX", None, '"01-Jul-2026 12:00:00 +0000"', b"Subject: summer\r\n\r\nz\r\n")
    client.select("INBOX")
    typ, data = client.fetch("1:3", "(INTERNALDATE)")
    assert data == [b'1 (INTERNALDATE "22-Nov-2026 04:00:00 -0500")', b'2 (INTERNALDATE "22-Nov-2026 22:00:00 -0500")',
                    b'3 (INTERNALDATE "01-Jul-2026 08:00:00 -0400")']
    assert client.search(None, "ON", "22-Nov-2026")[1] == [b"1 2"]
    assert client.search(None, "SINCE", "23-Nov-2026")[1] == [b""]
    assert client.search(None, "BEFORE", "22-Nov-2026")[1] == [b"3"]
    client.logout()


def test_a_slowly_arriving_literal_is_activity(imap_server):
    server = imap_server(extra="imap_autologout_timeout = 1s\n")
    sock, reader = raw_imap(server, USER)
    data = b"Subject: slow\r\n\r\n" + b"z" * 60 + b"\r\n"
    sock.sendall(b"a APPEND INBOX {%d}\r\n" % len(data))
    assert reader.readline().startswith(b"+ ")
    # 2.4 seconds for the literal, in pieces: longer than the timeout, but never silent for it.
    for offset in range(0, len(data), len(data) // 8 + 1):
        sock.sendall(data[offset:offset + len(data) // 8 + 1])
        time.sleep(0.3)
    sock.sendall(b"\r\n")
    assert until_tagged(reader, b"a")[-1].startswith(b"a OK [APPENDUID ")
    sock.close()


def test_too_many_invalid_commands_disconnect_like_dovecot(imap_server):
    server = imap_server()
    # Before login the third invalid command ends the connection (imap-login's limit): an HTTP
    # client or a port scanner is not kept around. As in imap-login, the third gets only the BYE.
    sock, reader = raw_imap(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\nUser-Agent: x\r\n")
    lines = [reader.readline() for _ in range(3)]
    assert lines[0].startswith(b"GET BAD ") and lines[1].startswith(b"Host: BAD "), lines
    assert lines[2] == b"* BYE Too many invalid IMAP commands.\r\n"
    assert reader.readline() == b""
    sock.close()
    # After login the limit is 20 in a row, and the count starts again: a command that parses resets it, as in
    # Dovecot's imap process (19 invalid, NOOP, 19 invalid is fine there).
    sock, reader = raw_imap(server)
    sock.sendall(b"a1 FOO\r\na2 LOGIN jane@example.com secret\r\n")
    assert until_tagged(reader, b"a2")[-1].startswith(b"a2 OK")
    for _ in range(2):
        sock.sendall(b"".join(b"b%d BOGUS\r\n" % number for number in range(19)) + b"c NOOP\r\n")
        assert until_tagged(reader, b"c")[-1] == b"c OK NOOP completed.\r\n"
    sock.sendall(b"".join(b"d%d BOGUS\r\n" % number for number in range(20)))
    assert until_tagged(reader, b"d19")[-1].startswith(b"d19 BAD ")
    assert reader.readline() == b"* BYE Too many invalid IMAP commands.\r\n"
    assert reader.readline() == b""
    sock.close()


def test_userdb_overrides_mail_max_userip_connections(imap_server):
    server = imap_server()
    users = server.root / "users"
    users.write_text(users.read_text().replace("joe@example.com:{PLAIN}secret::::::",
                                               "joe@example.com:{PLAIN}secret::::::userdb_mail_max_userip_connections=1"))
    first, _ = raw_imap(server, "joe@example.com")
    sock, reader = raw_imap(server)
    sock.sendall(b"x LOGIN joe@example.com secret\r\n")
    assert reader.readline() == (b"* BYE Maximum number of connections from user+IP exceeded "
                                 b"(mail_max_userip_connections=1)\r\n")
    sock.close()
    # Others keep the configured limit.
    kept = [raw_imap(server, USER) for _ in range(3)]
    for connection, _ in kept + [(first, None)]:
        connection.close()
