"""Exactly once on a real S3 server (SeaweedFS): a save the client was told failed never appears later, and a
deleted folder never comes back from its empty prefix. Each case ends with a kill -9 and a restart, whose rescan
is what used to adopt such objects."""
import imaplib
import os
import signal
import subprocess
import textwrap
import time

from conftest import IMAP_PASSWORD, free_port, passwd_file_databases, stop, wait_for_port

USER = "jane@example.com"
MESSAGE = b"From: a@example.org\r\nSubject: once\r\nMessage-ID: <once@x>\r\n\r\nbody\r\n"


class Backend:
    def __init__(self, binary, root, seaweed, run_id, s3_options=""):
        self.imap_port = free_port()
        self.root = root
        self.log = root / "objectmail.log"
        users = root / "users"
        users.write_text(f"{USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
        url = seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%")
        url += ("&" if "?" in url else "?") + s3_options if s3_options else ""
        self.config = root / "objectmail.conf"
        self.config.write_text(textwrap.dedent(f"""\
            mail_allow_root = yes
            log_path = {self.log}
            protocols = imap
            service imap-login {{
              inet_listener imap {{
                address = 127.0.0.1
                port = {self.imap_port}
              }}
            }}
            mail_home = {root}/home/%u
            mail_location = obox:{run_id}/%u
            #DATABASES
            plugin {{
              obox_fs = s3:{url}
              obox_index_fs = s3:{url}
              metacache_upload_interval = 5min
            }}
            """).replace("#DATABASES", passwd_file_databases(users)))
        self.binary = binary
        self.start()

    def start(self):
        self.process = subprocess.Popen([self.binary, "serve", "-c", str(self.config)], cwd=self.root,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.imap_port, self.process)

    def kill(self):
        self.process.kill()
        self.process.wait()

    def imap(self):
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=120)
        client.login(USER, IMAP_PASSWORD)
        return client


def test_a_deleted_folder_does_not_come_back_after_a_crash_and_an_empty_metacache(objectmail_bin, seaweed, tmp_path):
    run_id = f"refused-{time.time_ns()}"
    (tmp_path / "a").mkdir()
    first = Backend(objectmail_bin, tmp_path / "a", seaweed, run_id)
    client = first.imap()
    assert client.create("Gone")[0] == "OK"
    assert client.append("Gone", None, None, MESSAGE)[0] == "OK"
    client.select("Gone")
    client.store("1", "+FLAGS", "\\Deleted")
    assert client.expunge()[0] == "OK"
    client.close()
    assert client.delete("Gone")[0] == "OK"
    client.logout()
    first.kill()  # within the upload interval: the bucket never heard of the deletion
    (tmp_path / "b").mkdir()
    second = Backend(objectmail_bin, tmp_path / "b", seaweed, run_id)
    client = second.imap()
    typ, listing = client.list()
    assert typ == "OK"
    names = b" ".join(listing)
    assert b"Gone" not in names and b"Recovered" not in names, listing
    client.logout()
    assert stop(second.process) == 0


def test_an_append_refused_while_s3_stalls_never_appears(objectmail_bin, seaweed, tmp_path):
    # Short timeouts: the PUT times out here while the stopped S3 server still holds it.
    run_id = f"stall-{time.time_ns()}"
    (tmp_path / "a").mkdir()
    backend = Backend(objectmail_bin, tmp_path / "a", seaweed, run_id, s3_options="timeout=1000&max_retries=1")
    client = backend.imap()
    assert client.select("INBOX") == ("OK", [b"0"])
    weed = int(seaweed["OBJECTMAIL_TEST_S3_PID"])
    os.kill(weed, signal.SIGSTOP)
    try:
        typ, data = client.append("INBOX", None, None, MESSAGE)
    finally:
        time.sleep(1)
        os.kill(weed, signal.SIGCONT)
    assert typ == "NO" and b"UNAVAILABLE" in data[0], (typ, data)
    time.sleep(2)  # the stalled PUT may complete now
    client.logout()
    # A crash and a restart on the same metacache: the dirty marker makes it rescan the bucket.
    backend.kill()
    backend.start()
    client = backend.imap()
    assert client.select("INBOX") == ("OK", [b"0"])
    assert client.append("INBOX", None, None, MESSAGE)[0] == "OK"  # the client's retry is the only copy
    assert client.select("INBOX") == ("OK", [b"1"])
    client.logout()
    assert stop(backend.process) == 0
