"""QUOTA (RFC 9208) over Dovecot's quota plugin settings with the count backend, for IMAP and LMTP."""
import re
import smtplib
import subprocess

from conftest import USERS, command, raw_imap, stop

# As in Dovecot, the plugins must be loaded for the quota settings to act.
PLUGINS = "mail_plugins = quota imap_quota\n"
QUOTA = """
  quota = count:User quota
  quota_rule = *:storage=10k
  quota_rule2 = *:messages=5
  quota_rule3 = Trash:ignore
  quota_grace = 10%%
"""


def mail(size):
    head = b"From: a@example.com\r\nSubject: q\r\n\r\n"
    return head + b"x" * (size - len(head))


def append(sock, reader, tag, mailbox, body):
    return command(sock, reader, tag, b"APPEND %s {%d+}\r\n%s" % (mailbox, len(body), body))[-1]


def quota_line(sock, reader):
    lines = command(sock, reader, b"q", b"GETQUOTAROOT INBOX")
    assert lines[0] == b'* QUOTAROOT INBOX "User quota"\r\n', lines
    assert lines[-1].startswith(b"q OK"), lines
    return lines[1]


def lmtp_send(server, recipient, body):
    with smtplib.LMTP("127.0.0.1", server.port) as client:
        client.ehlo("test")
        try:
            client.sendmail("sender@example.com", [recipient], body)
        except smtplib.SMTPRecipientsRefused as refused:
            return refused.recipients[recipient]
        except smtplib.SMTPDataError as error:
            return (error.smtp_code, error.smtp_error)
    return (250, b"")


def test_imap_quota_commands_and_limits(imap_server):
    server = imap_server(plugin=QUOTA, extra=PLUGINS)
    sock, reader = raw_imap(server, "jane@example.com")
    caps = command(sock, reader, b"c", b"CAPABILITY")[0]
    assert b" QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE" in caps
    assert quota_line(sock, reader) == b'* QUOTA "User quota" (STORAGE 0 10 MESSAGE 0 5)\r\n'
    assert append(sock, reader, b"a1", b"INBOX", mail(4096)).startswith(b"a1 OK [APPENDUID")
    assert quota_line(sock, reader) == b'* QUOTA "User quota" (STORAGE 4 10 MESSAGE 1 5)\r\n'
    assert command(sock, reader, b"g", b'GETQUOTA "User quota"')[0] == b'* QUOTA "User quota" (STORAGE 4 10 MESSAGE 1 5)\r\n'
    assert command(sock, reader, b"h", b'GETQUOTA "Other"')[-1].startswith(b"h NO ")
    assert command(sock, reader, b"i", b'SETQUOTA "User quota" (STORAGE 99)')[-1].startswith(b"i NO ")
    # Over the storage limit: refused whole, nothing stored (grace is for LMTP deliveries only).
    answer = append(sock, reader, b"a2", b"INBOX", mail(7000))
    assert answer == b"a2 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)\r\n", answer
    assert b"MESSAGES 1)" in command(sock, reader, b"s", b"STATUS INBOX (MESSAGES)")[0]
    # COPY adds usage and is refused; MOVE does not and is allowed; Trash is ignored.
    command(sock, reader, b"c1", b"CREATE Trash")
    command(sock, reader, b"c2", b"CREATE Other")
    command(sock, reader, b"sel", b"SELECT INBOX")
    assert append(sock, reader, b"a3", b"INBOX", mail(4096)).startswith(b"a3 OK")
    assert command(sock, reader, b"k", b"COPY 1:2 Other")[-1] == b"k NO [OVERQUOTA] Quota exceeded (mailbox for user is full)\r\n"
    assert command(sock, reader, b"k2", b"COPY 1:2 Trash")[-1].startswith(b"k2 OK")
    assert command(sock, reader, b"m", b"MOVE 2 Other")[-1].startswith(b"m OK")
    assert quota_line(sock, reader) == b'* QUOTA "User quota" (STORAGE 8 10 MESSAGE 2 5)\r\n'
    # Expunging frees the space again.
    command(sock, reader, b"st", b"STORE 1 +FLAGS (\\Deleted)")
    command(sock, reader, b"ex", b"EXPUNGE")
    assert quota_line(sock, reader) == b'* QUOTA "User quota" (STORAGE 4 10 MESSAGE 1 5)\r\n'
    # The message limit counts too.
    for number in range(4):
        assert append(sock, reader, b"n%d" % number, b"INBOX", mail(200)).startswith(b"n%d OK" % number)
    assert append(sock, reader, b"n9", b"INBOX", mail(200)).startswith(b"n9 NO [OVERQUOTA]")
    command(sock, reader, b"o", b"LOGOUT")


def test_lmtp_quota_grace_and_tempfail(imap_server):
    server = imap_server(plugin=QUOTA, extra=PLUGINS)
    # Under the limit before: one delivery may go up to 10 % over it.
    assert lmtp_send(server, "jane@example.com", mail(9000))[0] == 250
    assert lmtp_send(server, "jane@example.com", mail(1500))[0] == 250
    code, text = lmtp_send(server, "jane@example.com", mail(500))
    assert (code, text) == (552, b"5.2.2 <jane@example.com> Quota exceeded (mailbox for user is full)"), (code, text)
    # Far over the limit in one go: refused even with grace.
    code, _ = lmtp_send(server, "joe@example.com", mail(12000))
    assert code == 552
    # Others still get their mail.
    assert lmtp_send(server, "ann@example.com", mail(300))[0] == 250
    assert len(server.stored("jane@example.com")) == 2 and len(server.stored("joe@example.com")) == 0

    tempfail = imap_server(plugin=QUOTA + "  quota_full_tempfail = yes\n  quota_exceeded_message = Mailbox full\n", extra=PLUGINS)
    assert lmtp_send(tempfail, "jane@example.com", mail(12000)) == (452, b"4.2.2 <jane@example.com> Mailbox full")


def test_userdb_quota_rule_overrides_the_configured_one(imap_server):
    server = imap_server(plugin=QUOTA, extra=PLUGINS)
    users = server.root / "users"
    users.write_text("".join(f"{user}:{{PLAIN}}secret::::::"
                             + ("userdb_quota_rule=*:storage=1M userdb_quota_rule2=*:messages=0" if user == "joe@example.com" else "")
                             + "\n" for user in USERS))
    assert lmtp_send(server, "joe@example.com", mail(50000))[0] == 250
    sock, reader = raw_imap(server, "joe@example.com")
    line = quota_line(sock, reader)
    assert re.fullmatch(rb'\* QUOTA "User quota" \(STORAGE 4[89] 1024\)\r\n', line), line
    command(sock, reader, b"o", b"LOGOUT")
    assert lmtp_send(server, "jane@example.com", mail(50000))[0] == 552
    # The field removed again: the configured 10k applies to joe from his next delivery on.
    users.write_text("".join(f"{user}:{{PLAIN}}secret::::::\n" for user in USERS))
    assert lmtp_send(server, "joe@example.com", mail(500))[0] == 552


def test_no_quota_configured(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    assert b"QUOTA" not in command(sock, reader, b"c", b"CAPABILITY")[0]
    assert command(sock, reader, b"q", b"GETQUOTAROOT INBOX")[-1].startswith(b"q NO ")
    command(sock, reader, b"o", b"LOGOUT")


def test_unsupported_quota_backend_and_bad_rules_stop_the_server(imap_server, objectmail_bin):
    server = imap_server()
    stop(server.process)
    base = server.config.read_text()
    for plugin, error in [("plugin {\n  quota = dict:User quota::file:/tmp/q\n}\n", "only the count backend"),
                          ("plugin {\n  quota = count:User quota\n  quota_rule = *:storage=lots\n}\n", "quota_rule: invalid size lots")]:
        server.config.write_text(base + PLUGINS + plugin)
        result = subprocess.run([objectmail_bin, "serve", "-c", str(server.config)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result
        assert error in result.stdout + result.stderr + server.log.read_text()


def test_quota_settings_without_the_quota_plugin_are_refused(imap_server, objectmail_bin):
    """Dovecot ignores plugin { quota } when mail_plugins does not load quota; refusing says so instead of not enforcing."""
    server = imap_server()
    stop(server.process)
    server.config.write_text(server.config.read_text() + "plugin {\n  quota = count:User quota\n}\n")
    result = subprocess.run([objectmail_bin, "serve", "-c", str(server.config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "mail_plugins does not load the quota plugin" in server.log.read_text()


def test_quota_without_imap_quota_is_enforced_but_not_advertised(imap_server):
    server = imap_server(plugin=QUOTA, extra="mail_plugins = quota\n")
    sock, reader = raw_imap(server, "jane@example.com")
    assert b"QUOTA" not in command(sock, reader, b"c", b"CAPABILITY")[0]
    assert append(sock, reader, b"a", b"INBOX", mail(11 * 1024)).startswith(b"a NO [OVERQUOTA]")
    command(sock, reader, b"o", b"LOGOUT")
