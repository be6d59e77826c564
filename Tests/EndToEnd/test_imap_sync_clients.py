"""Real sync clients against a 1,000-message mailbox tree: a two-way mbsync (isync) with changes on
both sides, a second run that transfers nothing, and offlineimap3 reading the same account."""
import os
import pty
import re
import shutil
import subprocess

import pytest
from conftest import raw_imap, until_tagged

USER = "jane@example.com"
FOLDERS = {"INBOX": 250, "Archive": 250, "Archive/2025": 250, "Lists/python": 250}


def message(folder: str, number: int) -> bytes:
    body = b"".join(b"line %d of message %d in %s, padded to look like mail text.\r\n" % (line, number, folder.encode())
                    for line in range(number % 20 + 1))
    return (b"From: Sender %d <sender%d@example.org>\r\nTo: jane@example.com\r\nSubject: %s message %d\r\n"
            b"Date: Sun, 22 Nov 2026 06:%02d:00 +0100\r\nMessage-ID: <m%d.%s@example.org>\r\n\r\n"
            % (number % 7, number % 7, folder.encode(), number, number % 60, number, folder.replace("/", ".").encode())) + body


def fill(server) -> None:
    """One MULTIAPPEND per folder (LITERAL+), so filling 1,000 messages takes one round trip each."""
    sock, reader = raw_imap(server, USER)
    for index, (folder, count) in enumerate(FOLDERS.items()):
        if folder != "INBOX":
            sock.sendall(b"c%d CREATE %s\r\n" % (index, folder.encode()))
            assert until_tagged(reader, b"c%d" % index)[-1].startswith(b"c%d OK" % index)
        parts = [b"a%d APPEND %s" % (index, folder.encode())]
        for number in range(count):
            data = message(folder, number)
            flags = b" (\\Seen)" if number % 3 == 0 else b""
            parts.append(b"%s {%d+}\r\n%s" % (flags, len(data), data))
        sock.sendall(b"".join(parts) + b"\r\n")
        assert until_tagged(reader, b"a%d" % index)[-1].startswith(b"a%d OK [APPENDUID " % index)
    sock.close()


def mbsync_config(tmp_path, port, maildir):
    config = tmp_path / "mbsyncrc"
    config.write_text(f"""\
IMAPAccount test
Host 127.0.0.1
Port {port}
User {USER}
Pass secret
SSLType None
AuthMechs PLAIN

IMAPStore remote
Account test

MaildirStore local
Path {maildir}/
Inbox {maildir}/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
Sync All
SyncState *
""")
    return config


def run_mbsync(config) -> dict[str, tuple[int, int, int]]:
    """Runs mbsync on a pseudo-terminal (it prints its progress counters only to one) and returns the
    final counters: for the far and the near side, (new messages, flag updates, expunges)."""
    pid, terminal = pty.fork()
    if pid == 0:
        os.execvp("mbsync", ["mbsync", "-c", str(config), "-a"])
    chunks = []
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    output = b"".join(chunks).decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, output
    counters = re.findall(r"F: \+(\d+)/\d+ \*(\d+)/\d+ #(\d+)/\d+\s+N: \+(\d+)/\d+ \*(\d+)/\d+ #(\d+)/\d+", output)
    assert counters, output
    numbers = [int(value) for value in counters[-1]]
    return {"far": tuple(numbers[:3]), "near": tuple(numbers[3:])}


def maildir_files(folder) -> list:
    return [path for sub in ("new", "cur") for path in (folder / sub).iterdir()]


def server_counts(client) -> dict[str, tuple[int, int, int]]:
    """Per folder: messages, \\Seen ones, \\Flagged ones."""
    counts = {}
    for folder in FOLDERS:
        client.select(f'"{folder}"')
        total = len(client.search(None, "ALL")[1][0].split())
        seen = len(client.search(None, "SEEN")[1][0].split())
        flagged = len(client.search(None, "FLAGGED")[1][0].split())
        counts[folder] = (total, seen, flagged)
    return counts


@pytest.mark.skipif(shutil.which("mbsync") is None, reason="isync is not installed")
def test_mbsync_two_way_sync_of_a_thousand_messages(imap_server, tmp_path):
    server = imap_server()
    fill(server)
    maildir = tmp_path / "maildir"
    maildir.mkdir()
    config = mbsync_config(tmp_path, server.imap_port, maildir)

    first = run_mbsync(config)
    assert first == {"far": (0, 0, 0), "near": (1000, 0, 0)}, first
    for folder, count in FOLDERS.items():
        files = maildir_files(maildir / folder)
        assert len(files) == count, folder
        assert sum(1 for path in files if "S" in path.name.split(":2,")[1]) == (count + 2) // 3
    # Byte-exact apart from mbsync's LF line ends and its X-TUID header.
    sample = next(path for path in maildir_files(maildir / "Archive/2025") if ",U=8:" in path.name)
    pulled = b"".join(line for line in sample.read_bytes().splitlines(keepends=True) if not line.startswith(b"X-TUID: "))
    assert pulled == message("Archive/2025", 7).replace(b"\r\n", b"\n")

    # Changes on the server: new mail, flags, an expunge.
    client = server.imap(USER)
    for number in range(5):
        client.append("INBOX", None, None, message("INBOX", 1000 + number))
    client.select("INBOX")
    client.store("1:10", "+FLAGS", "(\\Flagged)")
    client.select("Archive")
    client.store("1:5", "+FLAGS", "(\\Deleted)")
    client.expunge()
    # Changes on the near side: new mail, \Seen on ten unseen messages, four deletions.
    python_new = maildir / "Lists/python" / "new"
    for number in range(3):
        (python_new / f"1790000000.local{number}.testhost").write_bytes(message("Lists/python", 2000 + number).replace(b"\r\n", b"\n"))
    inbox = maildir / "INBOX"
    unseen = sorted(path for path in maildir_files(inbox) if "S" not in path.name.split(":2,")[1])[:10]
    for path in unseen:
        path.rename(inbox / "cur" / (path.name.split(":2,")[0] + ":2," + "".join(sorted(path.name.split(":2,")[1] + "S"))))
    for path in sorted(maildir_files(maildir / "Archive/2025"))[:4]:
        path.unlink()

    second = run_mbsync(config)
    # mbsync counts a propagated deletion as a flag update (\\Deleted, then its expunge):
    # far side 3 new, 10 \\Seen + 4 deletions; near side 5 new, 10 \\Flagged + 5 deletions.
    assert second == {"far": (3, 14, 0), "near": (5, 15, 0)}, second

    expected = {"INBOX": (255, 84 + 10, 10), "Archive": (245, None, 0), "Archive/2025": (246, None, 0),
                "Lists/python": (253, None, 0)}
    counts = server_counts(client)
    for folder, (total, seen, flagged) in expected.items():
        assert counts[folder][0] == total, (folder, counts)
        assert counts[folder][2] == flagged, (folder, counts)
        if seen is not None:
            assert counts[folder][1] == seen, (folder, counts)
        assert len(maildir_files(maildir / folder)) == total, folder
    assert sum(1 for path in maildir_files(inbox) if "F" in path.name.split(":2,")[1]) == 10

    # Nothing changed since: the third run moves nothing in either direction.
    third = run_mbsync(config)
    assert third == {"far": (0, 0, 0), "near": (0, 0, 0)}, third

    # offlineimap3, another client, reads the same account into its own Maildir.
    if shutil.which("offlineimap") is None:
        client.logout()
        pytest.skip("offlineimap3 is not installed")
    offline = tmp_path / "offline"
    offline_config = tmp_path / "offlineimaprc"
    offline_config.write_text(f"""\
[general]
accounts = test
metadata = {tmp_path}/offlineimap-state

[Account test]
localrepository = local
remoterepository = remote

[Repository local]
type = Maildir
localfolders = {offline}
sep = /

[Repository remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = {server.imap_port}
remoteuser = {USER}
remotepass = secret
ssl = no
starttls = no
readonly = True
""")
    result = subprocess.run(["offlineimap", "-c", str(offline_config), "-o", "-u", "basic"], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    for folder, (total, _, _) in expected.items():
        files = maildir_files(offline / folder)
        assert len(files) == total, (folder, result.stdout + result.stderr)
    flagged = [path for path in maildir_files(offline / "INBOX") if "F" in path.name.split(":2,")[-1]]
    assert len(flagged) == 10
    client.logout()
