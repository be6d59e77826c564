"""`objectmail lda` (issue 28): dovecot-lda's command line, delivering one message from stdin through the running
server's admin socket and LMTP's save path, with dovecot-lda's exit codes (0, 64, 67, 75, 77) — each case below was
compared with Dovecot 2.3.19's dovecot-lda -e on the same input. Seed 001's quota-warning script pipes into it."""
import os
import signal
import subprocess
import textwrap
import time

from conftest import wait_for

USER = "jane@example.com"

# As a shell here-document or an MTA's pipe gives it: LF line ends, an mbox From line first.
MESSAGE = (b"From envelope@example.org  Thu Dec  5 10:00:00 2024\n"
           b"From: Sender <sender@example.org>\nTo: jane@example.com\nSubject: via lda\nMessage-ID: <lda1@example.org>\n"
           b"\nFirst line\n.A line with a leading dot\n")
STORED = (b"From: Sender <sender@example.org>\r\nTo: jane@example.com\r\nSubject: via lda\r\nMessage-ID: <lda1@example.org>\r\n"
          b"\r\nFirst line\r\n.A line with a leading dot\r\n")


def lda(server, *args, message=MESSAGE, timeout=60):
    """`objectmail lda -c CONFIG ARGS…` with `message` on stdin, from the server's start directory (base_dir's
    default is relative to it)."""
    return subprocess.run([server.binary, "lda", "-c", str(server.config), *args], input=message, cwd=server.root,
                          capture_output=True, timeout=timeout)


def mailbox_messages(server, mailbox="INBOX", user=USER) -> list[bytes]:
    client = server.imap(user)
    typ, data = client.select(f'"{mailbox}"', readonly=True)
    assert typ == "OK", data
    messages = []
    if int(data[0]) > 0:
        typ, fetched = client.fetch("1:*", "(BODY.PEEK[])")
        messages = [part[1] for part in fetched if isinstance(part, tuple)]
    client.logout()
    return messages


def test_delivers_into_inbox_as_dovecot_lda_stores_it(imap_server):
    server = imap_server()
    result = lda(server, "-d", USER, "-a", "jane+whatever@example.com")
    assert (result.returncode, result.stderr) == (0, b"")
    # The From line is gone, line ends are CRLF, and no Return-Path/Delivered-To/Received was added (dovecot-lda adds
    # none: the MTA does); -a's detail chooses no mailbox.
    assert mailbox_messages(server) == [STORED]
    log = server.log.read_text()
    assert f"lda({USER})<" in log and "msgid=<lda1@example.org>: saved mail to INBOX" in log, log
    assert "rcpt=jane+whatever@example.com" in log, log


def test_mailbox_option_with_its_fallback_and_autocreate(imap_server, run):
    server = imap_server()
    # A missing mailbox without lda_mailbox_autocreate: INBOX, as dovecot-lda ("save failed to Missing: …").
    assert lda(server, "-d", USER, "-m", "Missing").returncode == 0
    assert len(mailbox_messages(server)) == 1
    assert "save failed to Missing" in server.log.read_text()
    # -o lda_mailbox_autocreate=yes creates it; an existing one is used; -m "" is INBOX (Postfix's -m ${extension}).
    assert lda(server, "-d", USER, "-m", "Lists/Work", "-o", "lda_mailbox_autocreate=yes").returncode == 0
    assert lda(server, "-d", USER, "-m", "Lists/Work").returncode == 0
    assert lda(server, "-d", USER, "-m", "").returncode == 0
    assert mailbox_messages(server, "Lists/Work") == [STORED, STORED]
    assert len(mailbox_messages(server)) == 2
    # The message may also come from a file (-p).
    path = server.root / "message.eml"
    path.write_bytes(MESSAGE.replace(b"via lda", b"from a file"))
    assert lda(server, "-d", USER, "-p", str(path), message=b"").returncode == 0
    assert b"Subject: from a file\r\n" in mailbox_messages(server)[-1]


def test_a_reload_changes_the_lda_settings(imap_server):
    server = imap_server()
    assert lda(server, "-d", USER, "-m", "Reloaded").returncode == 0
    assert len(mailbox_messages(server)) == 1
    # protocol lda { } is the delivery's view of the settings; a reload replaces it as it replaces LMTP's.
    with open(server.config, "a") as config:
        config.write("protocol lda {\n  lda_mailbox_autocreate = yes\n}\n")
    marker = "SIGHUP: configuration reloaded"
    server.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: marker in server.log.read_text()), server.log.read_text()[-3000:]
    assert lda(server, "-d", USER, "-m", "Reloaded").returncode == 0
    assert mailbox_messages(server, "Reloaded") == [STORED]


def test_unknown_user_and_usage_errors(imap_server):
    server = imap_server()
    unknown = lda(server, "-d", "nobody@example.com")
    assert unknown.returncode == 67 and b"User doesn't exist: nobody@example.com" in unknown.stderr, unknown
    missing = lda(server)
    assert missing.returncode == 64 and b"destination user parameter (-d user) not given" in missing.stderr, missing
    assert lda(server, "-d", USER, "-x").returncode == 64
    # -o problems stop the delivery as dovecot-lda's "Invalid -o parameter" does: exit 75, the MTA retries.
    for option, text in [("quota_full_tempfail=maybe", b"Invalid -o parameter quota_full_tempfail=maybe"),
                         ("lda_mailbox_autocreat=yes", b"did you mean lda_mailbox_autocreate?"),
                         ("mail_location=maildir:~/Maildir", b"cannot differ for one delivery")]:
        refused = lda(server, "-d", USER, "-o", option)
        assert refused.returncode == 75 and text in refused.stderr, refused
    assert mailbox_messages(server) == []


def test_quota_exit_codes_and_noenforcing(imap_server):
    server = imap_server(extra="mail_plugins = $mail_plugins quota\n", plugin=textwrap.indent(textwrap.dedent("""\
        quota = count:User quota
        quota_rule = *:storage=2k
        quota_max_mail_size = 8k
        """), "  "))
    filler = b"From: a@example.org\nSubject: filler\n\n" + b"x" * 1900 + b"\n"
    assert lda(server, "-d", USER, message=filler).returncode == 0
    # Under the limit before, within quota_grace (10 %) after: delivered, as dovecot-lda lets it through.
    assert lda(server, "-d", USER).returncode == 0
    over = lda(server, "-d", USER)
    assert over.returncode == 77 and over.stderr == b"Quota exceeded (mailbox for user is full)\n", over
    assert lda(server, "-d", USER, "-o", "quota_full_tempfail=yes").returncode == 75
    # Seed 001's quota-warning script: any backend name, only noenforcing counts.
    assert lda(server, "-d", USER, "-o", "plugin/quota=maildir:User quota:noenforcing").returncode == 0
    too_large = lda(server, "-d", USER, "-o", "plugin/quota=count:User quota:noenforcing",
                    message=b"Subject: big\n\n" + b"y" * 9000 + b"\n")
    assert too_large.returncode == 75, too_large
    assert b"Mail size is larger than the maximum size allowed by server configuration" in too_large.stderr
    assert len(mailbox_messages(server)) == 3


def test_many_deliveries_at_once_large_ones_spooled_and_a_truncated_one_stores_nothing(imap_server):
    """An MTA runs many dovecot-lda processes at once: each is a task on the server's event loops. Messages above
    the 128 KiB spool threshold arrive through a file in mail_temp_dir; one whose sender dies mid-message is not
    delivered, and holds up none of the others while it waits."""
    import json
    import socket
    from concurrent.futures import ThreadPoolExecutor
    server = imap_server()
    big = b"From: bulk@example.org\nSubject: big\n\n" + b"0123456789abcdef" * 20000 + b"\n"

    # A delivery that announces more bytes than it sends, then goes away.
    path = server.root / "var/run/objectmail/objectmail-admin"
    truncated = socket.socket(socket.AF_UNIX)
    truncated.connect(str(path))
    request = {"user": USER, "sender": "x@example.org", "size": 1000, "overrides": {}}
    truncated.sendall(b"lda\t" + json.dumps(request).encode() + b"\n")
    assert truncated.recv(10) == b"+\n"
    truncated.sendall(b"Subject: cut\r\n\r\nonly part")

    def deliver(number):
        message = big if number % 2 else MESSAGE.replace(b"via lda", b"via lda %d" % number)
        return lda(server, "-d", USER, message=message).returncode

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(deliver, range(20)))
    assert codes == [0] * 20
    truncated.close()
    assert wait_for(lambda: "the message ended before its 1000 bytes; nothing delivered" in server.log.read_text())
    messages = mailbox_messages(server)
    assert len(messages) == 20
    assert sum(1 for message in messages if len(message) > 300000) == 10
    assert all(message.endswith(b"0123456789abcdef\r\n") for message in messages if len(message) > 300000)


def test_no_server_means_75_and_nothing_stored(imap_server):
    server = imap_server()
    assert lda(server, "-d", USER).returncode == 0
    assert server.stop() == 0
    stopped = lda(server, "-d", USER)
    assert stopped.returncode == 75 and b"the server is not running" in stopped.stderr, stopped
    assert len(server.stored(USER)) == 1


def test_a_quota_warning_script_delivers_through_lda_as_seed_001(imap_server, objectmail_bin, tmp_path):
    """Seed 001's script verbatim but for its path: the binary runs as `dovecot-lda` through a link, the -o names the
    maildir backend, and the message has no empty line after its header."""
    link = tmp_path / "dovecot-lda"
    link.symlink_to(objectmail_bin)
    script = tmp_path / "dovecot-quota-warning"
    script.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        PERCENT=$1
        USER=$2
        cat << EOF | {link} -d "$USER" \\
        -o "plugin/quota=maildir:User quota:noenforcing"
        From: postmaster@urown.net
        Subject: Mail service quota warning
        Your mailbox $USER is now $PERCENT% full.
        You should delete some messages from the server.
        EOF
        """))
    os.chmod(script, 0o755)
    server = imap_server(extra=textwrap.dedent(f"""\
        mail_plugins = $mail_plugins quota
        service quota-warning {{
          executable = script {script}
          unix_listener quota-warning {{
          }}
        }}
        """), plugin=textwrap.indent(textwrap.dedent("""\
        quota = count:User quota
        quota_rule = *:storage=2k
        quota_warning = storage=80%% quota-warning 80 %u
        """), "  "))
    filler = b"From: a@example.org\nSubject: filler\n\n" + b"x" * 1700 + b"\n"
    assert lda(server, "-d", USER, message=filler).returncode == 0
    assert wait_for(lambda: len(mailbox_messages(server)) == 2, timeout=30), server.log.read_text()
    warning = mailbox_messages(server)[1]
    assert warning.startswith(b"From: postmaster@urown.net\r\nSubject: Mail service quota warning\r\n"
                              b"Your mailbox jane@example.com is now 80% full.\r\n"), warning
    client = server.imap(USER)
    client.select("INBOX", readonly=True)
    typ, fetched = client.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert fetched[0][1].strip() == b"Subject: Mail service quota warning", fetched
    client.logout()



def test_a_stalled_store_gets_75_within_the_deadline_and_the_refused_message_never_appears(imap_server, seaweed):
    from test_temporary_failures import stop_store
    url = seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%")
    server = imap_server(obox_fs=f"s3:{url}",
                         extra=f"mail_location = obox:lda-{time.time_ns()}/%u\nmail_operation_deadline = 3s\n")
    assert lda(server, "-d", USER).returncode == 0
    weed = int(seaweed["OBJECTMAIL_TEST_S3_PID"])
    stop_store(weed)
    try:
        started = time.monotonic()
        stalled = lda(server, "-d", USER, message=MESSAGE.replace(b"via lda", b"refused"))
        elapsed = time.monotonic() - started
    finally:
        os.kill(weed, signal.SIGCONT)
    assert stalled.returncode == 75, stalled
    assert elapsed <= 3 + 5, f"lda took {elapsed:.1f} s"
    time.sleep(3)  # the stalled server completes the PUT it held
    assert [b"refused" in message for message in mailbox_messages(server)] == [False]


def test_as_seed_001_runs_it_server_as_mail_uid_and_script_as_its_user(objectmail_bin):
    """Seed 001: mail_uid = vmail and `service quota-warning { user = vmail }`: the server gives root up, the admin
    socket becomes the mail user's, and the script (run as that user) reaches it; another user cannot (75)."""
    import pathlib
    import shutil
    import tempfile

    import pytest
    from conftest import LMTPServer, imap_listener, free_port, wait_for_port
    if os.geteuid() != 0:
        pytest.skip("needs root to change user")
    nobody = 65534
    root = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-lda-mail-uid-"))
    try:
        os.chmod(root, 0o755)
        server_root = root / "server"
        server_root.mkdir()
        os.chown(server_root, nobody, nobody)
        link = root / "dovecot-lda"
        link.symlink_to(objectmail_bin)
        script = root / "dovecot-quota-warning"
        script.write_text(textwrap.dedent(f"""\
            #!/bin/sh
            cat << EOF | {link} -d "$2" -o "plugin/quota=maildir:User quota:noenforcing"
            From: postmaster@urown.net
            Subject: Mail service quota warning
            Your mailbox $2 is now $1% full (uid $(id -u)).
            EOF
            """))
        os.chmod(script, 0o755)
        imap_port = free_port()
        server = LMTPServer(objectmail_bin, server_root, extra=imap_listener(imap_port) + textwrap.dedent(f"""\
            ssl = no
            mail_uid = nobody
            mail_gid = 65534
            mail_plugins = $mail_plugins quota
            service quota-warning {{
              executable = script {script}
              user = nobody
              unix_listener quota-warning {{
                user = nobody
              }}
            }}
            """), plugin="  quota = count:User quota\n  quota_rule = *:storage=2k\n  quota_warning = storage=80%% quota-warning 80 %u\n")
        try:
            wait_for_port(imap_port, server.process)
            assert wait_for(lambda: "running as nobody" in server.log.read_text()), server.log.read_text()
            server.imap_port = imap_port
            server.imap = lambda user: _login(imap_port, user)
            filler = b"From: a@example.org\nSubject: filler\n\n" + b"x" * 1700 + b"\n"
            assert lda(server, "-d", USER, message=filler).returncode == 0  # as root
            assert wait_for(lambda: len(mailbox_messages(server)) == 2, timeout=30), server.log.read_text()
            assert f"is now 80% full (uid {nobody}).".encode() in mailbox_messages(server)[1]
            # Neither root nor the mail user: the socket is not theirs to open.
            other = subprocess.run(["setpriv", "--reuid=1", "--regid=1", "--clear-groups", objectmail_bin, "lda", "-c",
                                    str(server.config), "-d", USER], input=MESSAGE, cwd=server_root, capture_output=True, timeout=60)
            assert other.returncode == 75 and b"run objectmail lda as the server's user" in other.stderr, other
        finally:
            assert server.stop() == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _login(port, user):
    import imaplib
    client = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    client.login(user, "secret")
    return client
