"""`quota2 = count:NAME` with `quota2_rule` (issue 28, seed 001): a second quota root over the same mail. Every save
must fit both roots, and GETQUOTAROOT reports both, as Dovecot does with two roots."""
from conftest import command, raw_imap

PLUGINS = "mail_plugins = $mail_plugins quota imap_quota\n"
ROOTS = """
  quota = count:User quota
  quota_rule = *:storage=100k
  quota2 = count:Small
  quota2_rule = *:messages=2
"""


def append(sock, reader, tag: bytes, size: int = 200) -> bytes:
    body = b"Subject: q\r\n\r\n" + b"x" * size
    return command(sock, reader, tag, b"APPEND INBOX {%d+}\r\n%s" % (len(body), body))[-1]


def test_both_roots_are_reported_and_enforced(imap_server):
    server = imap_server(plugin=ROOTS, extra=PLUGINS)
    sock, reader = raw_imap(server, "jane@example.com")
    lines = command(sock, reader, b"r", b"GETQUOTAROOT INBOX")
    assert lines[:3] == [b'* QUOTAROOT INBOX "User quota" Small\r\n', b'* QUOTA "User quota" (STORAGE 0 100)\r\n',
                         b"* QUOTA Small (MESSAGE 0 2)\r\n"], lines
    assert command(sock, reader, b"g", b"GETQUOTA Small")[0] == b"* QUOTA Small (MESSAGE 0 2)\r\n"
    assert append(sock, reader, b"a1").startswith(b"a1 OK")
    assert append(sock, reader, b"a2").startswith(b"a2 OK")
    # The first root has room; the second is full.
    assert append(sock, reader, b"a3") == b"a3 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)\r\n"
    assert command(sock, reader, b"g", b"GETQUOTA Small")[0] == b"* QUOTA Small (MESSAGE 2 2)\r\n"
    command(sock, reader, b"o", b"LOGOUT")
