"""The userdb's `home` and `mail` fields replace mail_home and mail_location for that user, as in Dovecot: the
metacache lives in the returned home, the objects under the returned prefix — for logins, deliveries and
admin commands alike."""
import smtplib
import time

MESSAGE = b"From: a@example.org\r\nSubject: located\r\n\r\nbody\r\n"


def test_userdb_home_and_mail_fields_place_the_user(imap_server, run):
    server = imap_server(extra="ssl = no\n")
    custom_home = server.root / "elsewhere" / "jane"
    users = server.root / "users"
    lines = users.read_text().splitlines()
    ann_home = server.root / "elsewhere" / "ann"
    lines = [f"jane@example.com:{{PLAIN}}secret::::{custom_home}::userdb_mail=obox:custom/%n" if line.startswith("jane@")
             else f"ann@example.com:{{PLAIN}}secret::::{ann_home}::" if line.startswith("ann@")
             else line for line in lines]
    time.sleep(1.1)  # a new mtime: the passwd-file is read again
    users.write_text("\n".join(lines) + "\n")

    for recipient in ["jane@example.com", "joe@example.com"]:
        with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
            client.ehlo("client.test")
            client.sendmail("sender@example.org", [recipient], MESSAGE)
    client = server.imap("jane@example.com")
    assert client.select("INBOX") == ("OK", [b"1"])
    client.logout()

    assert (custom_home / "objectmail.index.sqlite").exists()
    assert not (server.root / "home" / "jane@example.com").exists()
    assert list((server.objects / "custom" / "jane").glob("mailboxes/*/*")), sorted(map(str, server.objects.rglob("*")))[:20]
    # joe has no such fields: the configured templates.
    assert (server.root / "home" / "joe@example.com" / "objectmail.index.sqlite").exists()

    # An admin command for a user nobody opened yet looks the user up too.
    created = run("mailbox", "create", "-c", str(server.config), "-u", "ann@example.com", "Projects", cwd=server.root)
    assert created.returncode == 0, created.stderr
    assert (ann_home / "objectmail.index.sqlite").exists()
    assert not (server.root / "home" / "ann@example.com").exists()
