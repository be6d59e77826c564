"""mbsync (isync), a real sync client, pulls a mailbox into a Maildir and pushes a flag change back."""
from test_imap_sync_clients import mbsync_config, run_mbsync


def test_mbsync_pulls_messages_and_pushes_flags(imap_server, tmp_path):
    server = imap_server()
    client = server.imap("jane@example.com")
    client.create("Archive")
    messages = [b"Subject: sync %d\r\nMessage-ID: <s%d@example.org>\r\n\r\nbody %d\r\n" % (n, n, n) for n in range(3)]
    for message in messages:
        client.append("INBOX", None, None, message)
    client.append("Archive", "(\\Flagged)", None, b"Subject: archived\r\n\r\nold\r\n")

    maildir = tmp_path / "maildir"
    maildir.mkdir()
    config = mbsync_config(tmp_path, server.imap_port, maildir)
    run_mbsync(config)
    # mbsync stores LF line ends and adds its own X-TUID header.
    pulled = [b"".join(line for line in path.read_bytes().splitlines(keepends=True) if not line.startswith(b"X-TUID: "))
              for folder in ("new", "cur") for path in (maildir / "INBOX" / folder).iterdir()]
    assert sorted(pulled) == sorted(message.replace(b"\r\n", b"\n") for message in messages)
    archived = list((maildir / "Archive" / "new").iterdir()) + list((maildir / "Archive" / "cur").iterdir())
    assert len(archived) == 1 and archived[0].name.endswith(":2,F")

    # Mark one message seen locally; the next sync sets \Seen on the server.
    fresh = sorted((maildir / "INBOX" / "new").iterdir())
    first = fresh[0]
    first.rename(maildir / "INBOX" / "cur" / (first.name.split(":2,")[0] + ":2,S"))
    run_mbsync(config)
    client.select("INBOX")
    seen = client.search(None, "SEEN")[1][0].split()
    assert len(seen) == 1
    assert len(client.search(None, "UNSEEN")[1][0].split()) == 2
    client.logout()
