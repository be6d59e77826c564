"""LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE and CREATE-SPECIAL-USE (RFC 6154)."""
from conftest import command, raw_imap


def session(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    for name in (b"Foo", b"Foo/Bar", b"Foo/Baz", b"Moo", b"Fruit/Apple"):
        assert command(sock, reader, b"c", b"CREATE " + name)[-1].startswith(b"c OK")
    for name in (b"Foo/Baz", b"Moo", b"Gone"):
        command(sock, reader, b"s", b"SUBSCRIBE " + name if name != b"Gone" else b"CREATE Gone")
    command(sock, reader, b"s", b"SUBSCRIBE Gone")
    command(sock, reader, b"d", b"DELETE Gone")
    client = server.imap("jane@example.com")
    client.append("Moo", None, None, b"Subject: x\r\n\r\nbody\r\n")
    client.logout()
    return sock, reader


def test_selection_and_return_options(imap_server):
    sock, reader = session(imap_server)
    lines = command(sock, reader, b"a", b'LIST (SUBSCRIBED) "" "*"')
    assert lines[:-1] == [
        b'* LIST (\\HasNoChildren \\Subscribed) "/" Foo/Baz\r\n',
        b'* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" Gone\r\n',
        b'* LIST (\\HasNoChildren \\Subscribed) "/" INBOX\r\n',
        b'* LIST (\\HasNoChildren \\Subscribed) "/" Moo\r\n',
    ]
    # RECURSIVEMATCH: Foo is not subscribed, but a child the pattern does not reach is.
    lines = command(sock, reader, b"b", b'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
    assert b'* LIST (\\HasChildren) "/" Foo ("CHILDINFO" ("SUBSCRIBED"))\r\n' in lines
    assert b'* LIST (\\HasNoChildren \\Subscribed) "/" Moo\r\n' in lines
    assert not [line for line in lines if b"Fruit" in line]
    assert command(sock, reader, b"c", b'LIST (RECURSIVEMATCH) "" "%"')[-1].startswith(b"c BAD")
    # Multiple patterns and RETURN (SUBSCRIBED CHILDREN).
    lines = command(sock, reader, b"d", b'LIST "" ("Foo" "Fruit/%") RETURN (SUBSCRIBED CHILDREN)')
    assert lines[:-1] == [b'* LIST (\\HasChildren) "/" Foo\r\n', b'* LIST (\\HasNoChildren) "/" Fruit/Apple\r\n']
    # REMOTE changes nothing on a single server.
    assert command(sock, reader, b"e", b'LIST (REMOTE) "" Moo')[0] == b'* LIST (\\HasNoChildren) "/" Moo\r\n'
    command(sock, reader, b"o", b"LOGOUT")


def test_list_status(imap_server):
    sock, reader = session(imap_server)
    lines = command(sock, reader, b"a", b'LIST "" (Moo Fruit) RETURN (STATUS (MESSAGES UNSEEN SIZE))')
    assert lines[0] == b'* LIST (\\Noselect \\HasChildren) "/" Fruit\r\n'
    assert lines[1] == b'* LIST (\\HasNoChildren) "/" Moo\r\n'
    assert lines[2].startswith(b"* STATUS Moo (MESSAGES 1 UNSEEN 1 SIZE ")
    assert lines[3].startswith(b"a OK")
    command(sock, reader, b"o", b"LOGOUT")


def test_special_use_create_and_list(imap_server):
    sock, reader = session(imap_server)
    assert command(sock, reader, b"a", b"CREATE MyDrafts (USE (\\Drafts))")[-1].startswith(b"a OK")
    assert command(sock, reader, b"b", b"CREATE Bad (USE (\\Nonsense))")[-1].startswith(b"b NO [USEATTR]")
    assert command(sock, reader, b"b2", b"CREATE Bad2 (USE (\\Sent \\Trash))")[-1].startswith(b"b2 NO [USEATTR]")
    lines = command(sock, reader, b"c", b'LIST (SPECIAL-USE) "" "*"')
    assert b'* LIST (\\HasNoChildren \\Drafts) "/" MyDrafts\r\n' in lines
    assert not [line for line in lines if b"Moo" in line or b"Bad" in line]
    assert command(sock, reader, b"d", b'LIST "" MyDrafts RETURN (SPECIAL-USE)')[0] == b'* LIST (\\HasNoChildren \\Drafts) "/" MyDrafts\r\n'
    command(sock, reader, b"o", b"LOGOUT")
