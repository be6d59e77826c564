"""Sieve state shared by backends (issue 32): two `objectmail serve` processes with their own metacache directories
on one SeaweedFS bucket. A script put through one backend runs on the other, which has never seen the user; a
change made on the second reaches the first; a vacation response sent by one is not sent again by the other."""
import pathlib
import smtplib
import subprocess
import textwrap
import time
import uuid

from conftest import USERS, free_port, passwd_file_databases, stop, wait_for, wait_for_port
from test_sieve_delivery import MESSAGE, SMTPSink, mailbox

USER = USERS[0]


class Backend:
    def __init__(self, binary: str, root: pathlib.Path, name: str, seaweed: dict, run_id: str, submission: str):
        self.binary = binary
        self.root = root / name
        self.root.mkdir()
        self.port, self.imap_port = free_port(), free_port()
        self.log = self.root / "objectmail.log"
        users = root / "users"
        users.write_text("".join(f"{user}:{{PLAIN}}secret::::::\n" for user in USERS))
        url = seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%")
        self.config = self.root / "objectmail.conf"
        self.config.write_text(textwrap.dedent(f"""\
            mail_allow_root = yes
            log_path = {self.log}
            protocols = lmtp imap
            service lmtp {{
              inet_listener lmtp {{
                address = 127.0.0.1
                port = {self.port}
              }}
            }}
            service imap-login {{
              inet_listener imap {{
                address = 127.0.0.1
                port = {self.imap_port}
              }}
            }}
            mail_home = {self.root}/home/%u
            mail_location = obox:{run_id}/%u
            submission_host = {submission}
            protocol lmtp {{
              mail_plugins = $mail_plugins sieve
            }}
            #DATABASES
            plugin {{
              obox_fs = s3:{url}
              obox_index_fs = compress:gz:6:s3:{url}
              metacache_upload_interval = 1s
              sieve = file:~/sieve;active=~/.dovecot.sieve
            }}
            """).replace("#DATABASES", passwd_file_databases(users)))
        self.process = subprocess.Popen([binary, "serve", "-c", str(self.config)], cwd=self.root,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process)
        wait_for_port(self.imap_port, self.process)

    def imap(self, user, password="secret"):
        import imaplib
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=60)
        client.login(user, password)
        return client

    def sieve(self, *args, script=""):
        index = args.index("-u")
        words = list(args[:index]) + ["-c", str(self.config)] + list(args[index:])
        result = subprocess.run([self.binary, "sieve", *words], input=script.encode(), cwd=self.root, capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout.decode()

    def deliver(self, message=MESSAGE):
        with smtplib.LMTP("127.0.0.1", self.port) as client:
            assert client.sendmail("ann@example.org", [USER], message) == {}


def test_scripts_and_vacation_state_are_shared_by_backends(objectmail_bin, seaweed, tmp_path):
    sink = SMTPSink()
    run_id = f"sieve-{uuid.uuid4().hex[:8]}"
    first = Backend(objectmail_bin, tmp_path, "a", seaweed, run_id, sink.host)
    second = Backend(objectmail_bin, tmp_path, "b", seaweed, run_id, sink.host)
    try:
        first.sieve("put", "-a", "-u", USER, "main", script='require ["fileinto", "mailbox"];\nfileinto :create "Filed";\n')
        # The second backend has never loaded the user: the script comes from the bucket.
        second.deliver()
        assert len(mailbox(second, "Filed")) == 1
        assert second.sieve("list", "-u", USER).startswith("main ACTIVE")

        # A change on the second backend reaches the first once it checks the bucket (metacache_close_delay, 2 s).
        second.sieve("put", "-a", "-u", USER, "away", script='require "vacation";\nvacation :days 3 "Away.";\n')
        time.sleep(2.5)
        first.deliver(MESSAGE.replace(b"sv1", b"sv2"))
        assert wait_for(lambda: len(sink.received) == 1)
        assert first.sieve("list", "-u", USER).split("\n")[:2] == ["away ACTIVE", "main "]

        # The response the first backend sent is in the user's state: the second does not answer again.
        time.sleep(2.5)
        second.deliver(MESSAGE.replace(b"sv1", b"sv3"))
        time.sleep(1)
        assert len(sink.received) == 1
        assert "sent vacation response" not in second.log.read_text(errors="replace")
    finally:
        assert stop(first.process) == 0
        assert stop(second.process) == 0
        sink.shutdown()
