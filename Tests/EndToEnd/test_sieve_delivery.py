"""Sieve on delivery (issue 32, part 2): with `mail_plugins = $mail_plugins sieve` for LMTP and LDA, each recipient's
sieve_before scripts, active personal script (or sieve_default) and sieve_after scripts decide where the message goes,
as Pigeonhole's multiscript does; personal scripts are managed with `objectmail sieve …` (doveadm sieve) and live in
the bucket, so a backend with an empty metacache runs them. Actions are logged as Pigeonhole logs them."""
import imaplib
import shutil
import signal
import smtplib
import socketserver
import subprocess
import textwrap
import threading
import time

from conftest import USERS, wait_for, wait_for_port

USER = USERS[0]
OTHER = USERS[1]

MESSAGE = (b"From: Ann <ann@example.org>\r\nTo: jane@example.com\r\nSubject: Project news\r\n"
           b"Message-ID: <sv1@example.org>\r\n\r\nThe body.\r\n")


def sieve_extra(root, **settings) -> tuple[str, str]:
    """The protocol filters that load the sieve plugin, and plugin lines for `settings`."""
    extra = "protocol lmtp {\n  mail_plugins = $mail_plugins sieve\n}\nprotocol lda {\n  mail_plugins = $mail_plugins sieve\n}\n"
    plugin = "".join(f"  {name} = {value}\n" for name, value in settings.items())
    return extra, plugin


def start(imap_server, tmp_path, **settings):
    extra, plugin = sieve_extra(tmp_path, **settings)
    return imap_server(extra=extra, plugin="  sieve = file:~/sieve;active=~/.dovecot.sieve\n" + plugin)


def sieve(server, *args, script=None):
    words = list(args)
    index = words.index("-u")
    words = words[:index] + ["-c", str(server.config)] + words[index:]
    return subprocess.run([server.binary, "sieve", *words], input=(script or "").encode(), cwd=server.root,
                          capture_output=True, timeout=60)


def put(server, name, text, user=USER, activate=True):
    result = sieve(server, "put", *(["-a"] if activate else []), "-u", user, name, script=textwrap.dedent(text))
    assert result.returncode == 0, result.stderr.decode()


def deliver(server, message=MESSAGE, recipient=USER, sender="ann@example.org"):
    with smtplib.LMTP("127.0.0.1", server.port) as client:
        return client.sendmail(sender, [recipient], message)


def mailbox(server, name, user=USER):
    """(flags without \\Recent, body) of every message in the mailbox, over IMAP; None when it does not exist."""
    client = server.imap(user)
    try:
        status, count = client.select(f'"{name}"', readonly=True)
        if status != "OK":
            return None
        if int(count[0]) == 0:
            return []
        status, data = client.fetch("1:*", "(FLAGS BODY.PEEK[])")
        found = []
        for item in data:
            if isinstance(item, tuple):
                flags = {flag.decode() for flag in imaplib.ParseFlags(item[0])} - {"\\Recent"}
                found.append((flags, item[1]))
        return found
    finally:
        client.logout()


def log_of(server) -> str:
    return server.log.read_text(errors="replace")


def test_fileinto_with_flags_keep_and_discard(imap_server, tmp_path):
    server = start(imap_server, tmp_path)
    put(server, "main", """\
        require ["fileinto", "imap4flags", "mailbox"];
        if header :contains "subject" "news" {
            fileinto :create :flags ["\\\\Seen", "$Label1"] "Listes/Été";
            stop;
        }
        if header :contains "subject" "drop" { discard; stop; }
        addflag "\\\\Flagged";
        """)
    assert deliver(server) == {}
    stored = mailbox(server, "Listes/&AMk-t&AOk-")
    assert stored is not None and len(stored) == 1
    assert set(stored[0][0]) == {"\\Seen", "$Label1"}
    assert b"Subject: Project news" in stored[0][1]
    assert mailbox(server, "INBOX") == []

    assert deliver(server, MESSAGE.replace(b"Project news", b"please drop").replace(b"sv1", b"sv2")) == {}
    assert deliver(server, MESSAGE.replace(b"Project news", b"hello").replace(b"sv1", b"sv3")) == {}
    inbox = mailbox(server, "INBOX")
    assert len(inbox) == 1 and b"Subject: hello" in inbox[0][1] and "\\Flagged" in inbox[0][0]
    log = log_of(server)
    assert "sieve: msgid=<sv1@example.org>: stored mail into mailbox 'Listes/Été'" in log, log
    assert "sieve: msgid=<sv2@example.org>: marked message to be discarded if not explicitly delivered (discard action)" in log
    assert "sieve: msgid=<sv3@example.org>: stored mail into mailbox 'INBOX'" in log


def test_reject_without_submission_host_keeps_the_message(imap_server, tmp_path):
    """reject/ereject, redirect and vacation need mail sent: without submission_host the action fails, as a failed
    send fails in Pigeonhole, and the message is kept (LMTP 250)."""
    server = start(imap_server, tmp_path)
    put(server, "main", """\
        require ["reject", "ereject"];
        if header :contains "subject" "ext" { ereject "go away"; stop; }
        reject "not wanted";
        """)
    assert deliver(server) == {}
    assert deliver(server, MESSAGE.replace(b"Project news", b"ext").replace(b"sv1", b"sv2")) == {}
    assert len(mailbox(server, "INBOX")) == 2
    log = log_of(server)
    assert ("sieve: msgid=<sv1@example.org>: failed to send rejection message to <ann@example.org>: "
            "no means to send mail (submission_host is not set)") in log, log
    assert "sieve: msgid=<sv2@example.org>: failed to send rejection message" in log
    assert "failed, but implicit keep was successful" in log


def test_before_and_after_global_scripts(imap_server, tmp_path):
    before = tmp_path / "before.sieve"
    before.write_text('require ["fileinto", "mailbox", "imap4flags"];\n'
                      'if header :contains "subject" "[spam]" { fileinto :create "Junk"; stop; }\n'
                      'addflag "$Before";\n')
    after_dir = tmp_path / "after.d"
    after_dir.mkdir()
    (after_dir / "10-last.sieve").write_text('require ["fileinto", "mailbox"];\nfileinto :create "Filed by after";\n')
    server = start(imap_server, tmp_path, sieve_before=str(before), sieve_after=str(after_dir))
    # No personal script: before and after still run.
    assert deliver(server, MESSAGE.replace(b"Project news", b"[spam] buy")) == {}
    assert len(mailbox(server, "Junk")) == 1
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv2")) == {}
    assert len(mailbox(server, "Filed by after")) == 1
    # A personal script that files the message ends the sequence: the after script does not run.
    put(server, "main", 'require "fileinto";\nfileinto "INBOX";\n')
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv3")) == {}
    assert len(mailbox(server, "INBOX")) == 1
    assert len(mailbox(server, "Filed by after")) == 1


def test_sieve_default_and_doveadm_sieve_verbs(imap_server, tmp_path):
    default = tmp_path / "default.sieve"
    default.write_text('require ["fileinto", "mailbox"];\nfileinto :create "Default";\n')
    server = start(imap_server, tmp_path, sieve_default=str(default))
    assert deliver(server) == {}
    assert len(mailbox(server, "Default")) == 1

    put(server, "one", 'require "fileinto";\nfileinto "INBOX";\n', activate=False)
    put(server, "two", 'keep;\n', activate=False)
    listed = sieve(server, "list", "-u", USER)
    assert listed.returncode == 0 and listed.stdout.decode().split("\n")[:2] == ["one ", "two "], listed
    assert sieve(server, "activate", "-u", USER, "two").returncode == 0
    assert sieve(server, "list", "-u", USER).stdout.decode().split("\n")[:2] == ["one ", "two ACTIVE"]
    assert sieve(server, "get", "-u", USER, "two").stdout.decode().strip() == "keep;"
    assert sieve(server, "get", "-u", USER, "three").returncode == 68
    assert sieve(server, "activate", "-u", USER, "three").returncode == 68
    # A script that does not compile is refused, as doveadm sieve put refuses it.
    broken = sieve(server, "put", "-u", USER, "bad", script="fileinto \"x\";\n")
    assert broken.returncode == 65 and b"unknown command 'fileinto'" in broken.stderr, broken.stderr
    assert sieve(server, "delete", "-u", USER, "two").returncode == 65  # active
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv2")) == {}
    assert len(mailbox(server, "INBOX")) == 1
    assert sieve(server, "deactivate", "-u", USER).returncode == 0
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv3")) == {}
    assert len(mailbox(server, "Default")) == 2
    assert sieve(server, "delete", "-u", USER, "one", "two").returncode == 0
    assert sieve(server, "list", "-u", USER).stdout == b""


def test_a_reload_applies_the_sieve_settings(imap_server, tmp_path):
    first, second = tmp_path / "first.sieve", tmp_path / "second.sieve"
    first.write_text('require ["fileinto", "mailbox"];\nfileinto :create "First";\n')
    second.write_text('require ["fileinto", "mailbox"];\nfileinto :create "Second";\n')
    server = start(imap_server, tmp_path, sieve_default=str(first))
    assert deliver(server) == {}
    server.config.write_text(server.config.read_text().replace(str(first), str(second)))
    server.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "SIGHUP: configuration reloaded" in log_of(server)), log_of(server)[-3000:]
    assert "restart to apply" not in log_of(server)
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv2")) == {}
    assert len(mailbox(server, "First")) == 1 and len(mailbox(server, "Second")) == 1


def test_active_script_and_duplicates_survive_a_wiped_metacache(imap_server, tmp_path):
    server = start(imap_server, tmp_path)
    put(server, "main", 'require ["fileinto", "mailbox", "duplicate"];\nif duplicate { discard; stop; }\nfileinto :create "Kept";\n')
    assert deliver(server) == {}
    assert server.stop() == 0
    shutil.rmtree(server.root / "home")
    server.process = subprocess.Popen([server.binary, "serve", "-c", str(server.config)], cwd=server.root,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for_port(server.port, server.process)
    wait_for_port(server.imap_port, server.process)
    # The same Message-ID again is a duplicate (the entry came back with the index bundle); another one is filed.
    assert deliver(server) == {}
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv2")) == {}
    assert len(mailbox(server, "Kept")) == 2
    assert sieve(server, "list", "-u", USER).stdout.decode().startswith("main ACTIVE")


def test_lda_runs_the_users_script(imap_server, tmp_path):
    server = start(imap_server, tmp_path)
    put(server, "main", 'require ["fileinto", "mailbox"];\nif address :is "from" "ann@example.org" { fileinto :create "From Ann"; }\n')
    result = subprocess.run([server.binary, "lda", "-c", str(server.config), "-d", USER, "-f", "ann@example.org"],
                            input=MESSAGE.replace(b"\r\n", b"\n"), cwd=server.root, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(mailbox(server, "From Ann")) == 1
    assert "stored mail into mailbox 'From Ann'" in log_of(server)


def test_hostile_scripts_end_with_keep_and_no_hang(imap_server, tmp_path):
    server = start(imap_server, tmp_path)
    hostile = 'require ["variables", "include"];\n' + \
              'set "a" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";\n' + \
              "".join(f'if string :matches "${{a}}" "*a*a*a*a*a*a*a*a*a*a*a*a*c" {{ discard; }}\n' for _ in range(50)) + \
              'include :personal "main";\n'
    put(server, "main", hostile)
    started = time.monotonic()
    assert deliver(server) == {}
    assert time.monotonic() - started < 60
    assert len(mailbox(server, "INBOX")) == 1
    log = log_of(server)
    assert "Execution of script main failed, but implicit keep was successful" in log, log
    # The server still answers.
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv2")) == {}


class SMTPSink(socketserver.ThreadingTCPServer):
    """A minimal SMTP server standing in for submission_host: records (MAIL FROM, RCPT TO, message) and answers
    `rcpt_reply` to RCPT."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, rcpt_reply=b"250 2.1.5 Ok"):
        self.received = []
        self.rcpt_reply = rcpt_reply
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def host(self):
        return f"127.0.0.1:{self.server_address[1]}"


class SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.strip().decode()
            verb = command.split(" ")[0].split(":")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 sink\r\n")
            elif verb == "MAIL":
                sender = command.split(":", 1)[1].strip().strip("<>")
                self.wfile.write(b"250 2.1.0 Ok\r\n")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.wfile.write(self.server.rcpt_reply + b"\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append((sender, recipients, data))
                self.wfile.write(b"250 2.0.0 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 5.5.2 what\r\n")


def start_with_sink(imap_server, tmp_path, sink, **settings):
    extra, plugin = sieve_extra(tmp_path, **settings)
    return imap_server(extra=extra + f"submission_host = {sink.host}\npostmaster_address = postmaster@example.com\n",
                       plugin="  sieve = file:~/sieve;active=~/.dovecot.sieve\n" + plugin)


def test_redirect_is_sent_once_per_message(imap_server, tmp_path):
    sink = SMTPSink()
    server = start_with_sink(imap_server, tmp_path, sink)
    put(server, "main", 'redirect "fwd@example.net";\n')
    assert deliver(server) == {}
    assert deliver(server) == {}  # the same Message-ID again: not forwarded twice
    assert wait_for(lambda: len(sink.received) == 1)
    sender, recipients, data = sink.received[0]
    assert sender == "ann@example.org" and recipients == ["fwd@example.net"]
    assert data.startswith(b"X-Sieve: ObjectMail Sieve\r\nX-Sieve-Redirected-From: jane@example.com\r\n"), data
    assert b"Subject: Project news" in data and b"Return-Path" not in data
    assert mailbox(server, "INBOX") == []
    log = log_of(server)
    assert "sieve: msgid=<sv1@example.org>: forwarded to <fwd@example.net>" in log, log
    assert "sieve: msgid=<sv1@example.org>: discarded duplicate forward to <fwd@example.net>" in log
    sink.shutdown()


def test_reject_sends_a_rejection_and_ereject_too(imap_server, tmp_path):
    sink = SMTPSink()
    server = start_with_sink(imap_server, tmp_path, sink)
    put(server, "main", 'require ["reject", "ereject"];\nif header :contains "subject" "ext" { ereject "go away"; stop; }\nreject "not wanted";\n')
    assert deliver(server) == {}
    assert deliver(server, MESSAGE.replace(b"Project news", b"ext").replace(b"sv1", b"sv2")) == {}
    assert wait_for(lambda: len(sink.received) == 2)
    sender, recipients, data = sink.received[0]
    assert sender == "" and recipients == ["ann@example.org"]
    assert b"From: Postmaster <postmaster@example.com>\r\n" in data and b"Subject: Rejected: Project news\r\n" in data
    assert b"report-type=disposition-notification" in data and b"not wanted" in data
    assert b"Final-Recipient: rfc822; jane@example.com" in data and b"Original-Message-ID: <sv1@example.org>" in data
    assert b"go away" in sink.received[1][2]
    assert mailbox(server, "INBOX") == []
    log = log_of(server)
    assert "sieve: msgid=<sv1@example.org>: rejected message from <ann@example.org> (reject)" in log, log
    assert "sieve: msgid=<sv2@example.org>: rejected message from <ann@example.org> (ereject)" in log
    sink.shutdown()


def test_vacation_answers_each_sender_once_per_period(imap_server, tmp_path):
    sink = SMTPSink()
    server = start_with_sink(imap_server, tmp_path, sink)
    put(server, "main", 'require "vacation";\nvacation :days 2 :subject "Away" "I am away until Monday.";\n')
    assert deliver(server) == {}
    assert deliver(server, MESSAGE.replace(b"sv1", b"sv2")) == {}
    assert wait_for(lambda: len(sink.received) >= 1)
    time.sleep(0.5)
    assert len(sink.received) == 1
    sender, recipients, data = sink.received[0]
    assert sender == "" and recipients == ["ann@example.org"]
    assert b"Subject: Away\r\n" in data and b"In-Reply-To: <sv1@example.org>\r\n" in data
    assert b"Auto-Submitted: auto-replied (vacation)\r\n" in data and b"I am away until Monday." in data
    assert len(mailbox(server, "INBOX")) == 2
    assert "sieve: msgid=<sv1@example.org>: sent vacation response to <ann@example.org>" in log_of(server)
    sink.shutdown()


def test_a_refused_redirect_keeps_the_message_and_a_temporary_refusal_retries(imap_server, tmp_path):
    sink = SMTPSink(rcpt_reply=b"550 5.1.1 no such user")
    server = start_with_sink(imap_server, tmp_path, sink)
    put(server, "main", 'redirect "gone@example.net";\n')
    assert deliver(server) == {}
    assert len(mailbox(server, "INBOX")) == 1
    assert "failed to redirect message to <gone@example.net>: 550 5.1.1 no such user (permanent failure)" in log_of(server)
    sink.rcpt_reply = b"451 4.3.0 try later"
    try:
        deliver(server, MESSAGE.replace(b"sv1", b"sv2"))
        raise AssertionError("accepted")
    except smtplib.SMTPDataError as error:
        assert error.smtp_code == 451
    except smtplib.SMTPRecipientsRefused as error:
        assert list(error.recipients.values())[0][0] == 451
    assert len(mailbox(server, "INBOX")) == 1
    sink.shutdown()
