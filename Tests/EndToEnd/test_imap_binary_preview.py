"""BINARY (RFC 3516: BINARY[], BINARY.PEEK, BINARY.SIZE, partial, ~{n} APPEND, UNKNOWN-CTE) and PREVIEW (RFC 8970)."""
import base64

from conftest import command, raw_imap, until_tagged

PAYLOAD = bytes(range(256)) * 4

MESSAGE = (b"Subject: binary\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
           b"Caf=C3=A9   au   lait,\r\nplease.\r\n"
           b"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(PAYLOAD).replace(b"\n", b"\r\n") +
           b"--b\r\nContent-Type: application/x-odd\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n"
           b"--b--\r\n")


def read_literal_answer(reader, tag):
    """The raw bytes up to the tagged line (literals may hold CR, LF and NUL)."""
    data = b""
    while True:
        line = reader.readline()
        data += line
        if line.endswith(b"}\r\n"):
            size = int(line[line.rindex(b"{") + 1:-3])
            data += reader.read(size)
        if line.startswith(tag + b" "):
            return data


def test_binary_fetch(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    client.append("INBOX", None, None, MESSAGE)
    client.logout()
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"s", b"SELECT INBOX")
    sock.sendall(b"a FETCH 1 (BINARY.PEEK[2])\r\n")
    answer = read_literal_answer(reader, b"a")
    # NUL bytes inside: a literal8.
    assert answer.startswith(b"* 1 FETCH (BINARY[2] ~{1024}\r\n" + PAYLOAD + b")\r\n"), answer[:80]
    assert answer.endswith(b"a OK Fetch completed.\r\n")
    assert command(sock, reader, b"b", b"FETCH 1 (BINARY.SIZE[2] BINARY.SIZE[1])")[0] == b"* 1 FETCH (BINARY.SIZE[2] 1024 BINARY.SIZE[1] 27)\r\n"
    sock.sendall(b"c FETCH 1 (BINARY.PEEK[1]<0.4>)\r\n")
    assert read_literal_answer(reader, b"c").startswith(b"* 1 FETCH (BINARY[1]<0> {4}\r\nCaf\xc3)")
    # PEEK left \Seen alone; BINARY[] sets it.
    assert command(sock, reader, b"d", b"FETCH 1 (FLAGS)")[0] == b"* 1 FETCH (FLAGS (\\Recent))\r\n"
    sock.sendall(b"e FETCH 1 (BINARY[1])\r\n")
    assert b"\\Seen" in read_literal_answer(reader, b"e")
    # A transfer encoding the server cannot decode.
    assert command(sock, reader, b"f", b"FETCH 1 (BINARY.PEEK[3])")[-1] == b"f NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding.\r\n"
    command(sock, reader, b"o", b"LOGOUT")


def test_append_binary_literal(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    raw = b"Subject: raw\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" + PAYLOAD[:300]
    sock.sendall(b"a APPEND INBOX ~{%d+}\r\n%s\r\n" % (len(raw), raw))
    assert until_tagged(reader, b"a")[-1].startswith(b"a OK [APPENDUID ")
    command(sock, reader, b"s", b"SELECT INBOX")
    sock.sendall(b"b FETCH 1 (BINARY.PEEK[1])\r\n")
    assert read_literal_answer(reader, b"b").startswith(b"* 1 FETCH (BINARY[1] ~{300}\r\n" + PAYLOAD[:300] + b")")
    command(sock, reader, b"o", b"LOGOUT")


def test_preview(imap_server):
    server = imap_server()
    client = server.imap("jane@example.com")
    client.append("INBOX", None, None, MESSAGE)
    client.append("INBOX", None, None, b"Subject: html\r\nContent-Type: text/html\r\n\r\n<html><head><style>p{}</style></head>"
                                       b"<body><p>Hello <b>there</b></p></body></html>\r\n")
    client.append("INBOX", None, None, b"Subject: none\r\nContent-Type: image/png\r\n\r\nxx\r\n")
    client.logout()
    sock, reader = raw_imap(server, "jane@example.com")
    command(sock, reader, b"s", b"SELECT INBOX")
    sock.sendall(b"a FETCH 1:3 (PREVIEW)\r\n")
    # Whitespace collapsed; 8-bit text goes out as a literal (no UTF8=ACCEPT).
    assert read_literal_answer(reader, b"a") == (b'* 1 FETCH (PREVIEW {22}\r\nCaf\xc3\xa9 au lait, please.)\r\n'
                                                 b'* 2 FETCH (PREVIEW "Hello there")\r\n'
                                                 b'* 3 FETCH (PREVIEW "")\r\n'
                                                 b"a OK Fetch completed.\r\n")
    assert command(sock, reader, b"b", b"FETCH 2 (PREVIEW (LAZY))")[0] == b'* 2 FETCH (PREVIEW "Hello there")\r\n'
    command(sock, reader, b"o", b"LOGOUT")
