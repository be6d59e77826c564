"""Started as a plain user (here: nobody) on unprivileged ports, the server serves IMAP and LMTP: accepted sockets
get their options at the right level (TCP_NODELAY at IPPROTO_TCP: at SOL_SOCKET it is SO_DEBUG, which a plain
user may not set, and every connection was dropped)."""
import os
import pathlib
import shutil
import smtplib
import stat
import tempfile

from conftest import LMTPServer, imap_listener, free_port, wait_for_port

NOBODY = 65534


def test_a_plain_user_serves_imap_and_lmtp(objectmail_bin):
    root = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-unprivileged-"))
    try:
        os.chmod(root, 0o777)
        wrapper = root / "objectmail-as-nobody"
        wrapper.write_text(f"#!/bin/sh\nexec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups {objectmail_bin} \"$@\"\n")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC | stat.S_IXOTH | stat.S_IROTH)
        server_root = root / "server"
        server_root.mkdir()
        os.chown(server_root, NOBODY, NOBODY)
        imap_port = free_port()
        # A unix_listener owned by someone else cannot be given away by a plain user: a warning, not a refusal.
        socket_path = server_root / "lmtp.sock"
        server = LMTPServer(str(wrapper), server_root, extra=imap_listener(imap_port) + "ssl = no\n"
                            + f"service lmtp {{\n  unix_listener {socket_path} {{\n    mode = 0666\n    user = root\n  }}\n}}\n")
        try:
            wait_for_port(imap_port, server.process)
            status = (pathlib.Path("/proc") / str(server.process.pid) / "status").read_text()
            assert f"Uid:\t{NOBODY}\t" in status, status
            with smtplib.LMTP("127.0.0.1", server.port, timeout=30) as client:
                client.ehlo("client.test")
                client.sendmail("sender@example.org", ["jane@example.com"], b"Subject: plain user\r\n\r\nbody\r\n")
            with smtplib.LMTP(str(socket_path), timeout=30) as client:
                client.ehlo("client.test")
                client.sendmail("sender@example.org", ["jane@example.com"], b"Subject: over the socket\r\n\r\nbody\r\n")
            assert "not running as root, the socket stays the server's (user root" in server.log.read_text()
            import imaplib
            client = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
            client.login("jane@example.com", "secret")
            assert client.select("INBOX") == ("OK", [b"2"])
            client.logout()
        finally:
            assert server.stop() == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_started_as_root_it_binds_then_runs_as_mail_uid(objectmail_bin, run):
    if os.geteuid() != 0:
        import pytest
        pytest.skip("needs root to change user")
    root = pathlib.Path(tempfile.mkdtemp(prefix="objectmail-mail-uid-"))
    try:
        os.chmod(root, 0o755)
        server_root = root / "server"
        server_root.mkdir()
        os.chown(server_root, NOBODY, NOBODY)
        imap_port = free_port()
        server = LMTPServer(objectmail_bin, server_root,
                            extra=imap_listener(imap_port) + "ssl = no\nmail_uid = nobody\nmail_gid = 65534\n")
        try:
            wait_for_port(imap_port, server.process)
            # The ports answer as soon as they are bound; connections are served once root is given up.
            import time
            deadline = time.monotonic() + 30
            while "running as nobody" not in server.log.read_text():
                assert time.monotonic() < deadline and server.process.poll() is None, server.log.read_text()
                time.sleep(0.1)
            status = (pathlib.Path("/proc") / str(server.process.pid) / "status").read_text()
            assert f"Uid:\t{NOBODY}\t{NOBODY}\t{NOBODY}\t{NOBODY}" in status, status
            assert f"Gid:\t{NOBODY}\t{NOBODY}\t{NOBODY}\t{NOBODY}" in status, status
            with smtplib.LMTP("127.0.0.1", server.port, timeout=30) as client:
                client.ehlo("client.test")
                client.sendmail("sender@example.org", ["jane@example.com"], b"Subject: as nobody\r\n\r\nbody\r\n")
            import imaplib
            client = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
            client.login("jane@example.com", "secret")
            assert client.select("INBOX") == ("OK", [b"1"])
            client.logout()
            # Everything the server wrote after binding belongs to the mail user; what it made as root was handed over.
            # (base_dir's parents, made while root, may stay root's, as /var/run is.)
            written = [path for path in server_root.rglob("*")
                       if path.name not in ("users", "objectmail.conf") and path not in (server_root / "var", server_root / "var/run")]
            assert written and all(path.lstat().st_uid == NOBODY for path in written), \
                [(str(path), path.lstat().st_uid) for path in written if path.lstat().st_uid != NOBODY]
            assert "running as nobody (uid 65534, gid 65534)" in server.log.read_text()
            # The mail user can still remove its pid file at stop.
            stopped = run("stop", "-c", str(server.config), cwd=server_root, timeout=180)
            assert stopped.returncode == 0, stopped.stderr
            assert not (server_root / "var/run/objectmail/master.pid").exists()
        finally:
            if server.process.poll() is None:
                server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_mail_uid_outside_the_valid_range_or_unknown_is_refused(lmtp_server, objectmail_bin, tmp_path):
    import subprocess
    for line, message in [("mail_uid = nobody\nlast_valid_uid = 1000\n", "outside first_valid_uid = 500"),
                          ("mail_uid = no-such-user-here\n", "unknown user no-such-user-here"),
                          ("mail_gid = 65534\n", "mail_gid is set without mail_uid")]:
        config = tmp_path / "bad.conf"
        config.write_text(f"log_path = /dev/stderr\nprotocols = lmtp\nservice lmtp {{\n  inet_listener lmtp {{\n    port = {free_port()}\n  }}\n}}\n"
                          f"passdb {{\n  driver = static\n  args = password=pw\n}}\nuserdb {{\n  driver = static\n}}\nmail_home = {tmp_path}/home/%u\nplugin {{\n  obox_fs = posix:{tmp_path}/o\n  obox_index_fs = posix:{tmp_path}/o\n}}\n"
                          + line)
        result = subprocess.run([objectmail_bin, "serve", "-c", str(config)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and message in result.stdout + result.stderr, (line, result.stdout, result.stderr)


def test_mail_access_as_root_is_refused_unless_allowed(objectmail_bin, tmp_path):
    import subprocess
    if os.geteuid() != 0:
        import pytest
        pytest.skip("needs root")
    refusal = "mail access as root is not permitted: set mail_uid"
    for line, refused in [("", True), ("mail_uid = root\nfirst_valid_uid = 0\n", True), ("mail_allow_root = yes\n", False)]:
        port = free_port()
        config = tmp_path / "root.conf"
        config.write_text(f"log_path = /dev/stderr\nprotocols = lmtp\nservice lmtp {{\n  inet_listener lmtp {{\n    port = {port}\n  }}\n}}\n"
                          f"passdb {{\n  driver = static\n  args = password=pw\n}}\nuserdb {{\n  driver = static\n}}\nmail_home = {tmp_path}/home/%u\nplugin {{\n  obox_fs = posix:{tmp_path}/o\n  obox_index_fs = posix:{tmp_path}/o\n}}\n"
                          + line)
        process = subprocess.Popen([objectmail_bin, "serve", "-c", str(config)], cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if refused:
            output = process.communicate(timeout=60)[0].decode()
            assert process.returncode == 2 and refusal in output, (line, output)
        else:
            try:
                wait_for_port(port, process)
            finally:
                from conftest import stop
                assert stop(process) == 0
    # A configuration error is still reported as itself, not hidden behind the refusal.
    config.write_text(config.read_text().replace("mail_allow_root = yes\n", "mail_gid = 65534\n"))
    result = subprocess.run([objectmail_bin, "serve", "-c", str(config)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "mail_gid is set without mail_uid" in result.stdout + result.stderr
