"""doveadm's mail verbs (`objectmail mailbox …`, `search`, `fetch`, `expunge`, `flags`, `quota`, `force-resync`)
against a running server, through its admin socket, with mail delivered over LMTP and checked over IMAP; and with
the server stopped, on the metacache and the bucket. Output formats and exit codes as doveadm 2.3 prints them."""
import imaplib
import json
import smtplib
import time

from conftest import IMAP_PASSWORD, USERS, LMTPServer, free_port, imap_listener, wait_for_port

USER = USERS[0]

MESSAGES = [
    b"From: Ann <ann@example.com>\r\nTo: jane@example.com\r\nSubject: Hello world\r\nMessage-ID: <1@dv>\r\n\r\nbody one\r\n",
    b"From: bob@example.com\r\nTo: jane@example.com\r\nSubject: second\r\nMessage-ID: <2@dv>\r\n\r\nbody two, longer\r\n",
    b"From: carol@example.com\r\nSubject: third\r\nMessage-ID: <3@dv>\r\n\r\n" + b"x" * 2000 + b"\r\n",
]


def deliver(server, user=USER, messages=MESSAGES):
    with smtplib.LMTP("127.0.0.1", server.port) as client:
        for message in messages:
            client.sendmail("a@example.net", [user], message)


def verb(run, server, *args):
    # From the server's start directory, as an operator would: base_dir's default is relative to it.
    return run(*insert_config(args, server), cwd=server.root)


def insert_config(args, server):
    """`-c FILE` goes among the options, before a query's words (which take everything after them)."""
    words = list(args)
    for index, word in enumerate(words):
        if word == "-u" or word == "-A" or word == "-F":
            return words[:index] + ["-c", str(server.config)] + words[index:]
    return words + ["-c", str(server.config)]


def listed(client, pattern="*"):
    status, lines = client.list('""', pattern)
    assert status == "OK"
    return sorted(line.decode().rsplit(" ", 1)[1].strip('"') for line in lines if line)


def test_mailbox_verbs_on_the_running_server(imap_server, run):
    server = imap_server()
    deliver(server)

    created = verb(run, server, "mailbox", "create", "-s", "-u", USER, "Foo/Bar", "Archive")
    assert created.returncode == 0, created.stderr
    listing = verb(run, server, "mailbox", "list", "-u", USER)
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.splitlines() == ["INBOX", "Archive", "Foo", "Foo/Bar"]
    assert verb(run, server, "mailbox", "list", "-u", USER, "F*").stdout.splitlines() == ["Foo", "Foo/Bar"]
    assert verb(run, server, "mailbox", "list", "-u", USER, "%").stdout.splitlines() == ["INBOX", "Archive", "Foo"]
    assert verb(run, server, "mailbox", "list", "-s", "-u", USER).stdout.splitlines() == ["INBOX", "Archive", "Foo/Bar"]
    client = server.imap(USER)
    assert listed(client) == ["Archive", "Foo", "Foo/Bar", "INBOX"]
    assert sorted(line.decode().rsplit(" ", 1)[1].strip('"') for line in client.lsub('""', "*")[1] if line) == ["Archive", "Foo/Bar", "INBOX"]

    # doveadm's exit codes: 65 exists, 68 no such mailbox, 67 no such user; the other names are still done.
    again = verb(run, server, "mailbox", "create", "-u", USER, "Archive", "New")
    assert again.returncode == 65 and "Can't create mailbox Archive: Mailbox already exists" in again.stderr, again.stderr
    missing = verb(run, server, "mailbox", "delete", "-u", USER, "Nope")
    assert missing.returncode == 68 and "Mailbox doesn't exist: Nope" in missing.stderr, missing.stderr
    nobody = verb(run, server, "mailbox", "list", "-u", "nobody@example.com")
    assert nobody.returncode == 67 and "User doesn't exist" in nobody.stderr, nobody.stderr
    assert "New" in listed(client)

    status = verb(run, server, "mailbox", "status", "-u", USER, "all", "INBOX")
    assert status.returncode == 0, status.stderr
    words = status.stdout.split()
    assert words[0] == "INBOX"
    values = dict(word.split("=", 1) for word in words[1:])
    assert list(values) == ["messages", "recent", "uidnext", "uidvalidity", "unseen", "highestmodseq", "vsize", "guid", "firstsaved"]
    imap_status = client.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")[1][0].decode()
    assert f"MESSAGES {values['messages']} " in imap_status and f"UIDNEXT {values['uidnext']} " in imap_status
    assert f"UIDVALIDITY {values['uidvalidity']} " in imap_status and f"UNSEEN {values['unseen']})" in imap_status
    assert values["messages"] == "3" and f"(SIZE {values['vsize']})" in client.status("INBOX", "(SIZE)")[1][0].decode()
    assert len(values["guid"]) == 32

    tab = verb(run, server, "mailbox", "status", "-u", USER, "-f", "tab", "messages unseen", "*")
    assert tab.stdout.splitlines()[0] == "mailbox\tmessages\tunseen"
    assert "INBOX\t3\t3" in tab.stdout.splitlines() and "Archive\t0\t0" in tab.stdout.splitlines()
    as_json = verb(run, server, "mailbox", "status", "-u", USER, "-f", "json", "messages vsize", "INBOX")
    assert json.loads(as_json.stdout) == [{"mailbox": "INBOX", "messages": "3", "vsize": values["vsize"]}]
    # doveadm's place for the formatter, before the verb, works too.
    assert verb(run, server, "-f", "tab", "mailbox", "status", "-u", USER, "messages unseen", "*").stdout == tab.stdout
    total = verb(run, server, "mailbox", "status", "-t", "-u", USER, "messages unseen", "*")
    assert total.stdout == "messages=3 unseen=3\n", total.stdout
    table = verb(run, server, "mailbox", "status", "-u", USER, "-f", "table", "messages", "INBOX")
    assert table.stdout.split() == ["mailbox", "messages", "INBOX", "3"]

    renamed = verb(run, server, "mailbox", "rename", "-s", "-u", USER, "Foo/Bar", "Baz")
    assert renamed.returncode == 0, renamed.stderr
    assert listed(client) == ["Archive", "Baz", "INBOX", "New"]
    assert verb(run, server, "mailbox", "unsubscribe", "-u", USER, "Archive").returncode == 0
    assert verb(run, server, "mailbox", "subscribe", "-u", USER, "New").returncode == 0
    assert sorted(line.decode().rsplit(" ", 1)[1].strip('"') for line in client.lsub('""', "*")[1] if line) == ["Baz", "INBOX", "New"]

    # -r takes the mailboxes below too.
    assert verb(run, server, "mailbox", "create", "-u", USER, "Baz/Child", "Baz/Child/Deeper").returncode == 0
    assert verb(run, server, "mailbox", "delete", "-u", USER, "Archive").returncode == 0
    deleted = verb(run, server, "mailbox", "delete", "-r", "-u", USER, "Baz")
    assert deleted.returncode == 0, deleted.stderr
    assert listed(client) == ["INBOX", "New"]
    inbox = verb(run, server, "mailbox", "delete", "-u", USER, "INBOX")
    assert inbox.returncode == 65 and "Can't delete mailbox INBOX: INBOX can't be deleted." in inbox.stderr
    assert "firstsaved=never" in verb(run, server, "mailbox", "status", "-u", USER, "all", "New").stdout
    nothing = verb(run, server, "mailbox", "status", "-u", USER, "messages", "Nope", "INBOX")
    assert nothing.returncode == 68 and nothing.stdout == "INBOX messages=3\n"
    assert "Mailbox Nope: Failed to lookup mailbox status: Mailbox doesn't exist: Nope" in nothing.stderr
    client.logout()


def guid_of(run, server, mailbox):
    return verb(run, server, "mailbox", "status", "-u", USER, "guid", mailbox).stdout.split("=")[1].strip()


def test_search_fetch_flags_and_expunge_with_a_session_selected(imap_server, run):
    server = imap_server()
    deliver(server)
    client = server.imap(USER)
    client.create("Other")
    client.append("Other", None, None, MESSAGES[0])
    client.select("INBOX")
    inbox, other = guid_of(run, server, "INBOX"), guid_of(run, server, "Other")

    found = verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "ALL")
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines() == [f"{inbox} 1", f"{inbox} 2", f"{inbox} 3"]
    everywhere = verb(run, server, "search", "-u", USER, "SUBJECT", "hello")
    assert everywhere.stdout.splitlines() == [f"{inbox} 1", f"{other} 1"]
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "OR", "FROM", "ann", "SUBJECT", "third").stdout.splitlines() \
        == [f"{inbox} 1", f"{inbox} 3"]
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "LARGER", "1k").stdout.splitlines() == [f"{inbox} 3"]
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "(", "UID", "2:3", "NOT", "BODY", "longer", ")").stdout.splitlines() \
        == [f"{inbox} 3"]
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "SINCE", "1d").stdout.count("\n") == 3
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "BEFORE", "1d").stdout == ""
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "SAVEDSINCE", "2000-01-01").stdout.count("\n") == 3
    no_box = verb(run, server, "search", "-u", USER, "mailbox", "Nope", "ALL")
    assert no_box.returncode == 68, no_box.stderr
    assert verb(run, server, "search", "-u", USER).returncode == 64
    assert verb(run, server, "search", "-u", USER, "mailbox", "Other").stdout == f"{other} 1\n"
    bad = verb(run, server, "search", "-u", USER, "FROBNICATE")
    assert bad.returncode == 75 and "Unknown argument FROBNICATE" in bad.stderr

    sizes = [line.decode().split("RFC822.SIZE ")[1].split(")")[0] for line in client.uid("FETCH", "1:2", "(RFC822.SIZE)")[1]]
    fetched = verb(run, server, "fetch", "-u", USER, "uid flags mailbox size.virtual hdr.subject", "mailbox", "INBOX", "UID", "1:2")
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == (f"uid: 1\nflags: \nmailbox: INBOX\nsize.virtual: {sizes[0]}\nhdr.subject: Hello world\n\f\n"
                              f"uid: 2\nflags: \nmailbox: INBOX\nsize.virtual: {sizes[1]}\nhdr.subject: second\n")
    texts = verb(run, server, "fetch", "-u", USER, "-f", "json", "uid hdr body text guid date.received", "mailbox", "INBOX", "UID", "1")
    row = json.loads(texts.stdout)[0]
    assert row["body"] == "body one\n" and "\nFrom: Ann <ann@example.com>\nTo:" in row["hdr"] and row["hdr"].endswith("\n\n")
    assert row["text"] == row["hdr"] + row["body"] and row["text"].endswith(MESSAGES[0].decode().replace("\r\n", "\n"))
    assert len(row["date.received"]) == 19 and len(row["guid"]) > 0
    stamps = json.loads(verb(run, server, "fetch", "-u", USER, "-f", "json", "date.received.unixtime date.saved.unixtime", "mailbox",
                             "INBOX", "UID", "1").stdout)[0]
    assert abs(int(stamps["date.received.unixtime"]) - time.time()) < 600 and int(stamps["date.saved.unixtime"]) > 0
    unknown = verb(run, server, "fetch", "-u", USER, "uid bogus", "ALL")
    assert unknown.returncode == 75 and "Unknown fetch field: bogus" in unknown.stderr
    flag = verb(run, server, "flags", "add", "-u", USER, "\\Bogus", "ALL")
    assert flag.returncode == 75 and "Invalid system flag: \\Bogus" in flag.stderr

    added = verb(run, server, "flags", "add", "-u", USER, "\\Seen $Label1", "mailbox", "INBOX", "UID", "1")
    assert added.returncode == 0, added.stderr
    assert verb(run, server, "fetch", "-u", USER, "flags", "mailbox", "INBOX", "UID", "1").stdout == "flags: \\Seen $Label1\n"
    # The selected session hears of the change as of any other session's.
    client.noop()
    flags = client.uid("FETCH", "1", "(FLAGS)")[1][0].decode()
    assert "\\Seen" in flags and "$Label1" in flags, flags
    assert verb(run, server, "flags", "replace", "-u", USER, "\\Flagged", "mailbox", "INBOX", "UID", "2").returncode == 0
    assert verb(run, server, "flags", "remove", "-u", USER, "$Label1", "mailbox", "INBOX", "UID", "1").returncode == 0
    tab = verb(run, server, "fetch", "-u", USER, "-f", "tab", "uid flags", "mailbox", "INBOX", "ALL")
    assert tab.stdout.splitlines() == ["uid\tflags", "1\t\\Seen", "2\t\\Flagged", "3\t"]
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "UNSEEN").stdout.splitlines() == [f"{inbox} 2", f"{inbox} 3"]

    copied = verb(run, server, "copy", "-u", USER, "Other", "mailbox", "INBOX", "UID", "2")
    assert copied.returncode == 0, copied.stderr
    assert client.status("Other", "(MESSAGES)")[1][0].endswith(b"(MESSAGES 2)")
    moved = verb(run, server, "move", "-u", USER, "Other", "mailbox", "INBOX", "UID", "3")
    assert moved.returncode == 0, moved.stderr
    client.noop()
    assert client.uid("SEARCH", "ALL")[1] == [b"1 2"]
    assert verb(run, server, "fetch", "-u", USER, "hdr.subject", "mailbox", "Other", "ALL").stdout == \
        "hdr.subject: Hello world\n\f\nhdr.subject: second\n\f\nhdr.subject: third\n"
    nowhere = verb(run, server, "copy", "-u", USER, "Nope", "mailbox", "INBOX", "ALL")
    assert nowhere.returncode == 68 and "Can't open mailbox 'Nope': Mailbox doesn't exist: Nope" in nowhere.stderr
    assert verb(run, server, "move", "-u", USER, "INBOX", "mailbox", "Other", "SUBJECT", "third").returncode == 0
    client.noop()

    expunged = verb(run, server, "expunge", "-u", USER, "mailbox", "INBOX", "SEEN")
    assert expunged.returncode == 0, expunged.stderr
    client.noop()
    assert client.uid("SEARCH", "ALL")[1] == [b"2 4"]
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "ALL").stdout.splitlines() == [f"{inbox} 2", f"{inbox} 4"]
    client.logout()


QUOTA = "  quota = count:User quota\n  quota_rule = *:storage=10k\n  quota_rule2 = *:messages=5\n"


def test_quota_get_and_recalc(imap_server, run):
    server = imap_server(plugin=QUOTA, extra="mail_plugins = quota imap_quota\n")
    deliver(server, messages=MESSAGES[:2])
    got = verb(run, server, "quota", "get", "-u", USER)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[0].split() == ["Quota", "name", "Type", "Value", "Limit", "%"]
    tab = verb(run, server, "quota", "get", "-u", USER, "-f", "tab")
    assert tab.stdout.splitlines() == ["Quota name\tType\tValue\tLimit\t%", "User quota\tSTORAGE\t0\t10\t0", "User quota\tMESSAGE\t2\t5\t40"]
    as_json = json.loads(verb(run, server, "quota", "get", "-u", USER, "-f", "json").stdout)
    assert as_json[1] == {"root": "User quota", "type": "MESSAGE", "value": "2", "limit": "5", "percent": "40"}
    client = server.imap(USER)
    assert client.getquotaroot("INBOX")[1][1][0] == b'"User quota" (STORAGE 0 10 MESSAGE 2 5)'
    client.logout()
    assert verb(run, server, "quota", "recalc", "-u", USER).returncode == 0


def test_all_users_file_of_users_and_force_resync(imap_server, run, tmp_path):
    server = imap_server()
    deliver(server, USERS[0], MESSAGES[:1])
    deliver(server, USERS[1], MESSAGES[:2])
    every = verb(run, server, "mailbox", "status", "-A", "messages", "INBOX")
    assert every.returncode == 0, every.stderr
    assert sorted(every.stdout.splitlines()) == sorted([f"{USERS[0]} INBOX messages=1", f"{USERS[1]} INBOX messages=2",
                                                        f"{USERS[2]} INBOX messages=0"])
    users = tmp_path / "users.txt"
    users.write_text(f"{USERS[1]}\nnobody@example.com\n")
    listed_users = verb(run, server, "search", "-F", str(users), "-f", "tab", "ALL")
    assert listed_users.returncode == 67 and "User doesn't exist" in listed_users.stderr
    assert listed_users.stdout.splitlines()[0] == "username\tmailbox-guid\tuid" and len(listed_users.stdout.splitlines()) == 3
    resync = verb(run, server, "force-resync", "-u", USERS[1], "*")
    assert resync.returncode == 0, resync.stderr
    client = server.imap(USERS[1])
    assert client.select("INBOX")[1] == [b"2"]
    client.logout()


def test_verbs_on_a_stopped_server(imap_server, run):
    server = imap_server()
    deliver(server)
    # A process that has the user open but whose socket is not where the command looks: refused, not opened behind its back.
    elsewhere = run("mailbox", "create", "-c", str(server.config), "-u", USER, "Sneaky")
    assert elsewhere.returncode == 75 and "admin socket" in elsewhere.stderr, elsewhere.stderr
    assert server.stop() == 0

    inbox = guid_of(run, server, "INBOX")
    assert verb(run, server, "mailbox", "create", "-u", USER, "Offline").returncode == 0
    assert verb(run, server, "mailbox", "list", "-u", USER).stdout.splitlines() == ["INBOX", "Offline"]
    assert verb(run, server, "search", "-u", USER, "mailbox", "INBOX", "SUBJECT", "second").stdout == f"{inbox} 2\n"
    assert verb(run, server, "flags", "add", "-u", USER, "\\Seen", "mailbox", "INBOX", "UID", "2").returncode == 0
    assert verb(run, server, "expunge", "-u", USER, "mailbox", "INBOX", "UID", "3").returncode == 0
    assert verb(run, server, "mailbox", "status", "-u", USER, "messages unseen", "INBOX").stdout == "INBOX messages=2 unseen=1\n"

    # The next server on the same metacache and bucket sees what was done offline.
    port = free_port()
    restarted = LMTPServer(server.binary, server.root, extra=imap_listener(port))
    try:
        wait_for_port(port, restarted.process)
        client = imaplib.IMAP4("127.0.0.1", port, timeout=60)
        client.login(USER, IMAP_PASSWORD)
        assert "Offline" in listed(client)
        assert client.select("INBOX")[1] == [b"2"]
        assert client.uid("SEARCH", "SEEN")[1] == [b"2"]
        client.logout()
    finally:
        assert restarted.stop() == 0


def test_who_and_kick(pop3_server, run):
    server = pop3_server()
    first, second, other = server.imap(USERS[0]), server.imap(USERS[0]), server.imap(USERS[1])
    mailbox = server.pop3(USERS[2])
    first.select("INBOX")
    who = verb(run, server, "who")
    assert who.returncode == 0, who.stderr
    lines = [line.split() for line in who.stdout.splitlines()]
    assert lines[0] == ["username", "#", "proto", "(pids)", "(ips)"]
    pid = str(server.process.pid)
    assert [USERS[0], "2", "imap", f"({pid})", "(127.0.0.1)"] in lines and [USERS[1], "1", "imap", f"({pid})", "(127.0.0.1)"] in lines
    assert [USERS[2], "1", "pop3", f"({pid})", "(127.0.0.1)"] in lines and len(lines) == 4
    tab = verb(run, server, "who", "-f", "tab", "-1", "jane*")
    assert tab.stdout.splitlines() == ["username\tproto\tpid\tip"] + [f"{USERS[0]}\timap\t{pid}\t127.0.0.1"] * 2
    as_json = json.loads(verb(run, server, "who", "-f", "json", USERS[1]).stdout)
    assert as_json == [{"username": USERS[1], "connections": "1", "service": "imap", "pids": f"({pid})", "ips": "(127.0.0.1)"}]

    kicked = verb(run, server, "kick", USERS[0])
    assert kicked.returncode == 0, kicked.stderr
    assert kicked.stdout == f"kicked connections from the following users:\n{USERS[0]} \n"
    for client in (first, second):
        try:
            client.noop()
            raise AssertionError("the kicked session still answers")
        except (imaplib.IMAP4.abort, OSError, EOFError):
            pass
    other.noop()
    assert [line.split()[0] for line in verb(run, server, "who").stdout.splitlines()[1:]] == [USERS[2], USERS[1]]
    mailbox.quit()
    none = verb(run, server, "kick", "nobody*")
    assert none.returncode == 68 and none.stdout == "no users kicked\n"
    other.logout()
    assert server.stop() == 0
    stopped = verb(run, server, "who")
    assert stopped.returncode == 75 and "not running" in stopped.stderr


def test_doveadm_http_api(imap_server):
    import base64
    import urllib.error
    import urllib.request

    port = free_port()
    server = imap_server(extra=f"doveadm_password = apipass\ndoveadm_api_key = apikey\n"
                               f"service doveadm {{\n  inet_listener http {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n}}\n")
    wait_for_port(port, server.process)
    deliver(server)

    def call(commands, authorization="Basic " + base64.b64encode(b"doveadm:apipass").decode()):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/doveadm/v1", data=json.dumps(commands).encode(),
                                         headers={"Content-Type": "application/json", "Authorization": authorization})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    # Dovecot's documented request form: several commands, each answered under its tag.
    answer = call([["mailboxCreate", {"user": USER, "mailbox": ["Archive"]}, "c1"],
                   ["mailboxList", {"user": USER}, "l1"],
                   ["mailboxStatus", {"user": USER, "field": ["messages", "unseen"], "mailboxMask": ["INBOX"]}, "s1"]])
    assert answer == [["doveadmResponse", [], "c1"],
                      ["doveadmResponse", [{"mailbox": "INBOX"}, {"mailbox": "Archive"}], "l1"],
                      ["doveadmResponse", [{"mailbox": "INBOX", "messages": "3", "unseen": "3"}], "s1"]]
    # The docs' curl example, as an operator's provisioning script sends it.
    import subprocess
    curl = subprocess.run(["curl", "-s", "-u", "doveadm:apipass", "-H", "Content-Type: application/json", f"http://127.0.0.1:{port}/doveadm/v1",
                           "-d", json.dumps([["mailboxStatus", {"user": USER, "field": ["messages", "unseen"], "mailboxMask": ["INBOX"]}, "s1"]])],
                          capture_output=True, timeout=30)
    assert curl.stdout == b'[["doveadmResponse",[{"mailbox":"INBOX","messages":"3","unseen":"3"}],"s1"]]', curl
    key = "X-Dovecot-API " + base64.b64encode(b"apikey").decode()
    fetched = call([["fetch", {"user": USER, "field": ["uid", "hdr.subject"], "query": ["mailbox", "INBOX", "SUBJECT", "second"]}, "f"]],
                   authorization=key)
    assert fetched == [["doveadmResponse", [{"uid": "2", "hdr.subject": "second"}], "f"]]
    assert call([["flagsAdd", {"user": USER, "flag": ["\\Seen"], "query": ["mailbox", "INBOX", "UID", "2"]}, "a"]]) == \
        [["doveadmResponse", [], "a"]]
    client = server.imap(USER)
    client.select("INBOX")
    assert client.uid("SEARCH", "SEEN")[1] == [b"2"]
    assert call([["mailboxDelete", {"user": USER, "mailbox": ["Nope"]}, "d"]]) == [["error", {"type": "exitCode", "exitCode": 68}, "d"]]
    assert call([["mailboxList", {"user": "nobody@example.com"}, "n"]]) == [["error", {"type": "exitCode", "exitCode": 67}, "n"]]
    assert call([["frobnicate", {}, "x"]]) == [["error", {"type": "unknownMethod"}, "x"]]
    quota = call([["quotaGet", {"user": USER}, "q"]])
    assert quota == [["doveadmResponse", [], "q"]]  # no quota configured: no rows
    who = call([["who", {}, "w"]])
    assert who[0][2] == "w" and who[0][1][0]["username"] == USER and who[0][1][0]["service"] == "imap"
    client.logout()
    for wrong in ("Basic " + base64.b64encode(b"doveadm:nope").decode(), "X-Dovecot-API " + base64.b64encode(b"nope").decode(), ""):
        try:
            call([["mailboxList", {"user": USER}, "l"]], authorization=wrong)
            raise AssertionError("accepted a wrong credential")
        except urllib.error.HTTPError as error:
            assert error.code == 401
