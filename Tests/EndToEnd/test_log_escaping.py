"""Client-supplied text in the log: one event is one line, so a client cannot forge lines for other users."""
from conftest import raw_imap, until_tagged

FORGED = b"x\n2026-12-05T00:00:00.000Z imap(otheruser): Info: Logged out\r\x00y"


def test_login_name_with_line_breaks_and_nul_cannot_forge_log_lines(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server)
    sock.sendall(b"a LOGIN {%d}\r\n" % len(FORGED))
    assert reader.readline().startswith(b"+")
    sock.sendall(FORGED + b" wrong\r\n")
    assert until_tagged(reader, b"a")[-1].startswith(b"a NO")
    sock.sendall(b"b LOGOUT\r\n")
    until_tagged(reader, b"b")
    sock.close()
    assert server.stop() == 0
    log = server.log.read_bytes()
    assert b"\x00" not in log
    lines = log.decode().splitlines()
    assert not any(line.startswith("2026-12-05T00:00:00.000Z") for line in lines), lines
    assert any("user=<x\\x0A2026-12-05T00:00:00.000Z imap(otheruser): Info: Logged out\\x0D\\x00y>" in line
               for line in lines), lines
