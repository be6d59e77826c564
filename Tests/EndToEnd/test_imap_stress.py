"""bench/imap_stress.py in CI: a short concurrent run against a real ObjectMail (posix, then SeaweedFS) must
show 0 findings, and the state tracker must catch each kind of rule break it claims to check (fed canned
responses, so that a run with 0 findings means something)."""
import asyncio
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import REPO, USERS

sys.path.insert(0, str(REPO / "bench"))
import imap_stress as stress  # noqa: E402


# ------------------------------------------------------------------ the tracker catches what it claims to

def selected(uids=(1, 2, 3), keywords=()):
    run = stress.Run("127.0.0.1", 0, ["joe@example.com"], "secret", 1, 1)
    session = stress.Session(run, run.users[0], 1)
    session.mailbox, session.exists = "INBOX", len(uids)
    session.uids, session.flags = list(uids), [None] * len(uids)
    session.keywords = {keyword.lower() for keyword in keywords}
    return run, session


def feed(session, kind: str, *lines: bytes, text: bytes = b"X") -> list[str]:
    """Hands the responses to the session as answers to one command; returns the finding classes."""
    command = stress.Command(kind, "t1", text, session.mailbox)
    command.before = {name: facts.snapshot() for name, facts in session.user.facts.items()}
    for line in lines:
        session.handle(line + b"\r\n", command)
    return sorted(session.run.findings.by_kind)


def test_a_keyword_needs_a_flags_response_first():
    run, session = selected()
    assert feed(session, "NOOP", b"* 1 FETCH (FLAGS (\\Seen $Label1))") == ["keyword used before FLAGS announced it"]
    run, session = selected()
    assert feed(session, "NOOP", b"* FLAGS (\\Seen $label1 NIL)", b"* 1 FETCH (FLAGS (\\Seen $Label1 NIL))") == []
    assert session.flags[0] == frozenset({"\\seen", "$label1", "nil"})


def test_exists_and_expunge_arithmetic():
    assert feed(selected()[1], "NOOP", b"* 2 EXISTS") == ["EXISTS decreased without EXPUNGE"]
    assert feed(selected()[1], "NOOP", b"* 4 EXPUNGE") == ["EXPUNGE beyond EXISTS"]
    assert feed(selected()[1], "NOOP", b"* 4 FETCH (FLAGS ())") == ["FETCH beyond EXISTS"]
    # after EXPUNGE 1, sequence number 1 is the message with UID 2
    run, session = selected()
    assert feed(session, "NOOP", b"* 1 EXPUNGE", b"* 1 FETCH (UID 2 FLAGS ())", b"* 2 EXPUNGE", b"* 1 EXISTS") == []
    assert feed(session, "NOOP", b"* 1 FETCH (UID 3)") == ["UID of a sequence number changed"]
    assert feed(selected((1, None, 3))[1], "NOOP", b"* 2 FETCH (UID 5)") == ["UIDs not ascending with sequence numbers"]


def test_expunge_only_where_allowed():
    for kind in ("FETCH", "STORE", "SEARCH"):
        assert feed(selected()[1], kind, b"* 1 EXPUNGE") == [f"EXPUNGE during {kind}"]
    for kind in ("UID FETCH", "UID STORE", "UID SEARCH", "NOOP", "IDLE", "COPY", "MOVE"):
        assert feed(selected()[1], kind, b"* 1 EXPUNGE") == []


def test_modseq_uidvalidity_uidnext():
    run, session = selected()
    assert feed(session, "FETCH", b"* 1 FETCH (UID 1 MODSEQ (10) FLAGS (\\Seen))") == []
    assert feed(session, "FETCH", b"* 1 FETCH (MODSEQ (9))") == ["MODSEQ of a message went backwards"]
    run, session = selected()
    feed(session, "FETCH", b"* 1 FETCH (UID 1 MODSEQ (10) FLAGS (\\Seen))")
    assert feed(session, "FETCH", b"* 1 FETCH (MODSEQ (10) FLAGS (\\Seen \\Flagged))") == ["flags changed without a new MODSEQ"]
    run, session = selected()
    assert feed(session, "SELECT", b"* OK [UIDVALIDITY 7] x", b"* OK [UIDNEXT 9] x", text=b'SELECT "INBOX"') == []
    assert feed(session, "SELECT", b"* OK [UIDVALIDITY 8] x", b"* OK [UIDNEXT 8] x", text=b'SELECT "INBOX"') == [
        "UIDNEXT went backwards", "UIDVALIDITY changed"]
    run, session = selected()
    feed(session, "FETCH", b"* 3 FETCH (UID 3 MODSEQ (20))")
    assert feed(session, "SELECT", b"* OK [UIDNEXT 3] x", b"* OK [HIGHESTMODSEQ 19] x", text=b'SELECT "INBOX"') == [
        "HIGHESTMODSEQ below a MODSEQ seen before", "UIDNEXT not above a UID seen before"]
    assert set(feed(session, "APPEND", b"t1 OK [APPENDUID 7 2] done", text=b'APPEND "INBOX"')) >= {
        "assigned UID not above every UID seen before", "assigned UID below an earlier UIDNEXT"}


def test_responses_that_do_not_parse_and_bad_answers():
    assert feed(selected()[1], "FETCH", b"* 1 FETCH (FLAGS (\\Seen)") == ["unparsable response"]
    assert feed(selected()[1], "FETCH", b"* 1 FETCH (ENVELOPE (NIL NIL))") == ["unparsable response"]
    assert feed(selected()[1], "NOOP", b"* 1 VANISHED 3") == ["unparsable response"]
    assert feed(selected()[1], "NOOP", b"* VANISHED 3") == ["VANISHED without QRESYNC"]
    run, session = selected()
    command = stress.Command("NOOP", "t1", b"NOOP", "INBOX")
    session.handle(b"t1 BAD no\r\n", command)
    session.finish(command, ())
    command = stress.Command("FETCH", "t2", b"FETCH 1 BODY[]", "INBOX")
    session.handle(b"t2 NO [SERVERBUG] oops\r\n", command)
    session.finish(command, ("EXPUNGEISSUED",))
    assert sorted(run.findings.by_kind) == ["tagged BAD", "tagged NO [SERVERBUG]"]


def test_fetch_items_parse():
    response = stress.parse_response(
        b'* 2 FETCH (UID 7 FLAGS (\\Seen $Label1) MODSEQ (12) ENVELOPE ("d" "s" (("A" NIL "a" "b.c")) NIL NIL '
        b'NIL NIL NIL NIL "<m@x>") BODY[HEADER] {4}\r\nab\r\n)\r\n')
    assert response.items["UID"] == 7 and response.items["MODSEQ"] == 12
    assert response.items["BODY[HEADER]"] == b"ab\r\n"


# ------------------------------------------------------------------ against ObjectMail

def summary_of(run) -> str:
    return run.summary(examples=3, context=True)


def test_stress_on_posix(objectmail_bin, tmp_path):
    """The documented command, shortened: 10 clients on 2 users for 30 s, checkpoints every 8 s."""
    result = subprocess.run([sys.executable, str(REPO / "bench/imap_stress.py"), "--server", "objectmail", "--store", "posix",
                             "--binary", objectmail_bin, "--clients", "10", "--users", "2", "--seconds", "30",
                             "--checkpoint-every", "8", "--context", "--work", str(tmp_path / "work"), "--keep"],
                            capture_output=True, text=True, timeout=300)
    assert "commands:" in result.stdout, result.stderr[-3000:]
    log = (tmp_path / "work/objectmail/objectmail.log")
    errors = [line for line in log.read_text(errors="replace").splitlines() if ": Error: " in line] if log.exists() else []
    assert result.returncode == 0, result.stdout[-12000:] + "\nserver errors:\n" + "\n".join(errors[:20])


def test_stress_on_seaweedfs(imap_server, seaweed):
    """A shorter run with the mail objects in SeaweedFS."""
    server = imap_server(obox_fs="s3:" + seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%"))
    run = stress.Run("127.0.0.1", server.imap_port, USERS[:2], "secret", clients=8, seconds=15, checkpoint_every=6)
    asyncio.run(run.run())
    assert sum(run.commands.values()) > 200, summary_of(run)
    assert run.checkpoints >= 2, summary_of(run)
    assert run.findings.count() == 0, summary_of(run)
