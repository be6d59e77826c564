"""IMAP mailbox commands against a real server: LIST/LSUB, CREATE, RENAME, DELETE, SUBSCRIBE, STATUS."""
import re

from conftest import raw_imap, until_tagged


def names(listing):
    return [line.decode() for line in listing if line]


def test_create_rename_delete_and_list(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    assert client.create("Work/Projects")[0] == "OK"
    typ, data = client.create("Work/Projects")
    assert typ == "NO" and b"[ALREADYEXISTS]" in data[0]
    typ, data = client.list()
    assert sorted(names(data)) == sorted(
        ['(\\Noselect \\HasChildren) "/" Work', '(\\HasNoChildren) "/" Work/Projects', '(\\HasNoChildren) "/" INBOX'])
    assert sorted(client.list('""', "%")[1]) == sorted([b'(\\HasNoChildren) "/" INBOX', b'(\\Noselect \\HasChildren) "/" Work'])
    assert client.list('""', "inbox")[1] == [b'(\\HasNoChildren) "/" INBOX']
    assert client.list('""', '""')[1] == [b'(\\Noselect) "/" ""']
    assert client.rename("Work/Projects", "Archive")[0] == "OK"
    assert client.list('""', "Archive")[1] == [b'(\\HasNoChildren) "/" Archive']
    typ, data = client.rename("Nope", "Other")
    assert typ == "NO" and b"[NONEXISTENT]" in data[0]
    assert client.delete("Archive")[0] == "OK"
    typ, data = client.delete("Archive")
    assert typ == "NO" and b"[NONEXISTENT]" in data[0]
    typ, data = client.delete("INBOX")
    assert typ == "NO"
    client.logout()


def test_non_ascii_names_travel_as_modified_utf7(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    assert client.create("&AMk-t&AOk-")[0] == "OK"  # "Été" in modified UTF-7
    assert client.list('""', "*t*")[1] == [b'(\\HasNoChildren) "/" &AMk-t&AOk-']
    client.logout()


def test_subscribe_lsub_and_status(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    client.create("Lists")
    assert client.subscribe("Lists")[0] == "OK"
    assert b'() "/" Lists' in client.lsub()[1]
    assert client.unsubscribe("Lists")[0] == "OK"
    assert b'() "/" Lists' not in client.lsub()[1]
    typ, data = client.subscribe("Nope")
    assert typ == "NO"
    client.append("Lists", None, None, b"Subject: one\r\n\r\nbody\r\n")
    client.append("Lists", "(\\Seen)", None, b"Subject: two\r\n\r\nbody\r\n")
    typ, data = client.status("Lists", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)")
    assert typ == "OK"
    text = data[0].decode()
    assert text.startswith("Lists (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY ") and text.endswith("UNSEEN 1)")
    typ, data = client.status("Nope", "(MESSAGES)")
    assert typ == "NO" and b"[NONEXISTENT]" in data[0]
    client.logout()


def test_append_to_missing_mailbox_says_trycreate(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    typ, data = client.append("Missing", None, None, b"Subject: x\r\n\r\nx\r\n")
    assert typ == "NO" and b"[TRYCREATE]" in data[0]
    client.logout()


def test_multiappend_is_all_or_nothing_and_status_size(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    first, second = b"Subject: a\r\n\r\n1\r\n", b"Subject: b\r\n\r\n22\r\n"
    sock.sendall(b"a APPEND INBOX (\\Seen) {%d+}\r\n%s {%d+}\r\n%s\r\n" % (len(first), first, len(second), second))
    assert re.match(rb"a OK \[APPENDUID \d+ 1:2\] ", until_tagged(reader, b"a")[-1])
    sock.sendall(b"s STATUS INBOX (MESSAGES UNSEEN SIZE)\r\n")
    assert until_tagged(reader, b"s")[0] == b"* STATUS INBOX (MESSAGES 2 UNSEEN 1 SIZE %d)\r\n" % (len(first) + len(second))
    sock.close()
