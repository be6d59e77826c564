"""`objectmail metacache list|status|flush|flushall|clean|rescan` against a running server (its admin
socket in base_dir) and, with the server stopped, on the metacache directory and the bucket."""
import smtplib
import stat

from conftest import USERS


def deliver(server, user, count):
    with smtplib.LMTP("127.0.0.1", server.port) as client:
        for number in range(count):
            client.sendmail("a@example.net", [user], f"Subject: {number}\r\nMessage-ID: <{number}@cmd>\r\n\r\nbody {number}\r\n".encode())


def bundles(server, user):
    return sorted(path for path in server.objects.glob(f"*/{user}/**/idx/bundle.*"))


def metacache(run, server, *args):
    # From the server's start directory, as an operator would: base_dir's default is relative to it.
    return run("metacache", *args, "-c", str(server.config), cwd=server.root)


def test_commands_act_on_the_running_server(imap_server, run):
    server = imap_server()
    socket = server.root / "var/run/objectmail/objectmail-admin"  # base_dir's default, relative to the start directory
    assert stat.S_IMODE(socket.stat().st_mode) == 0o600
    user = USERS[0]
    deliver(server, user, 3)

    listing = metacache(run, server, "list")
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines()[0] == "user\tbytes\tidle\tstate\tdirty"
    row = next(line.split("\t") for line in listing.stdout.splitlines() if line.startswith(user))
    assert row[3] == "open" and row[4] == "yes" and int(row[1]) > 0
    # From elsewhere the socket is not found: the command must not touch the live server's metacache.
    elsewhere = run("metacache", "flush", "-A", "-c", str(server.config))
    assert elsewhere.returncode == 1 and "admin socket is not reachable" in elsewhere.stderr, elsewhere.stderr
    status = metacache(run, server, "status")
    assert status.returncode == 0 and "server=running users=1 " in status.stdout

    assert bundles(server, user) == []  # 3 mails: below obox_max_rescan_mail_count, nothing uploaded yet
    flushed = metacache(run, server, "flush", "-u", user)
    assert flushed.returncode == 0 and f"flushed {user}" in flushed.stdout, flushed.stderr
    assert bundles(server, user)

    rescan = metacache(run, server, "rescan", "-u", user)
    assert rescan.returncode == 0 and "dropped=0" in rescan.stdout and "orphans=0" in rescan.stdout, rescan.stdout + rescan.stderr

    cleaned = metacache(run, server, "clean", "-u", user)
    assert cleaned.returncode == 0, cleaned.stderr
    assert not (server.root / "home" / user / "objectmail.index.sqlite").exists()
    # The next login loads the user from the bucket.
    client = server.imap(user)
    assert client.select("INBOX")[1] == [b"3"]
    # In use by that session: clean is refused with a clear error.
    refused = metacache(run, server, "clean", "-u", user)
    assert refused.returncode == 1 and "in use" in refused.stderr
    client.logout()

    assert metacache(run, server, "flushall").returncode == 0
    assert metacache(run, server, "flush", "-A").returncode == 0
    unknown = metacache(run, server, "flush", "-u", "nobody@example.com")
    assert unknown.returncode == 1 and "not open" in unknown.stderr
    assert metacache(run, server, "flush").returncode != 0  # neither -u nor -A


def test_commands_on_a_stopped_server_after_a_crash(lmtp_server, run):
    server = lmtp_server()
    user = USERS[1]
    deliver(server, user, 4)
    server.process.kill()  # kill -9: no flush, the dirty marker stays
    server.process.wait()

    listing = metacache(run, server, "list")
    assert listing.returncode == 0, listing.stderr
    row = next(line.split("\t") for line in listing.stdout.splitlines() if line.startswith(user))
    assert row[3] == "stopped" and row[4] == "yes"
    assert "server=stopped users=1 " in metacache(run, server, "status").stdout

    # Offline flush: the user's index is revalidated (unclean shutdown), uploaded, and marked clean.
    flushed = metacache(run, server, "flush", "-A")
    assert flushed.returncode == 0 and "flushed 1 users" in flushed.stdout, flushed.stdout + flushed.stderr
    assert bundles(server, user)
    row = next(line.split("\t") for line in metacache(run, server, "list").stdout.splitlines() if line.startswith(user))
    assert row[4] == "no"
    assert metacache(run, server, "clean", "-u", user).returncode == 0
    assert not (server.root / "home" / user / "objectmail.index.sqlite").exists()
