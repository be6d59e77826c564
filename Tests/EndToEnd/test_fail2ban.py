"""Authentication failures of every protocol are logged as Dovecot logs them, so Debian's stock fail2ban `dovecot`
filter bans the address (checked with fail2ban-regex over the server's real log)."""
import imaplib
import poplib
import subprocess

import pytest


def test_imap_and_pop3_login_failures_match_the_stock_dovecot_filter(pop3_server):
    server = pop3_server()
    imap = server.imap()
    with pytest.raises(imaplib.IMAP4.error):
        imap.login("jane@example.com", "wrong")
    imap.shutdown()
    pop3 = server.pop3()
    pop3.user("joe@example.com")
    with pytest.raises(poplib.error_proto):
        pop3.pass_("wrong")
    pop3.quit()
    assert server.stop() == 0
    log = server.log.read_text()
    lines = [line for line in log.splitlines() if "auth failed" in line]
    assert any(line.split(" ")[1].startswith("imap") and "user=<jane@example.com>" in line for line in lines), log
    assert any(line.split(" ")[1].startswith("pop3") and "user=<joe@example.com>" in line for line in lines), log
    result = subprocess.run(["fail2ban-regex", str(server.log), "/etc/fail2ban/filter.d/dovecot.conf"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 matched" in result.stdout or f"{len(lines)} matched" in result.stdout, result.stdout
