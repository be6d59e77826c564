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
        server = LMTPServer(str(wrapper), server_root, extra=imap_listener(imap_port) + "ssl = no\n")
        try:
            wait_for_port(imap_port, server.process)
            status = (pathlib.Path("/proc") / str(server.process.pid) / "status").read_text()
            assert f"Uid:\t{NOBODY}\t" in status, status
            with smtplib.LMTP("127.0.0.1", server.port, timeout=30) as client:
                client.ehlo("client.test")
                client.sendmail("sender@example.org", ["jane@example.com"], b"Subject: plain user\r\n\r\nbody\r\n")
            import imaplib
            client = imaplib.IMAP4("127.0.0.1", imap_port, timeout=30)
            client.login("jane@example.com", "secret")
            assert client.select("INBOX") == ("OK", [b"1"])
            client.logout()
        finally:
            assert server.stop() == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)
