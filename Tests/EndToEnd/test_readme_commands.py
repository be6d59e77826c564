"""The README's run command starts the server on the embedded default."""
import re
import shlex
import smtplib
import subprocess

from conftest import REPO, stop, wait_for_port


def readme_command(title: str) -> str:
    readme = (REPO / "README.md").read_text()
    match = re.search(r"<!-- " + title + r" -->\s*```(?:sh|bash)?\n(.+?)\n```", readme, re.S)
    assert match, f"README has no {title} command block"
    return match.group(1).strip()


def test_readme_names_the_scripts_ci_uses():
    assert readme_command("test-command") == "scripts/test.sh"
    assert (REPO / ".ci/run").read_text().strip().endswith("exec scripts/test.sh")


def test_run_command_serves_lmtp_on_the_embedded_default_until_sigterm():
    command = readme_command("run-command")
    # Without a shell, so that the signal reaches the server the script execs into.
    process = subprocess.Popen(shlex.split(command), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(10024, process, timeout=900)
        client = smtplib.LMTP("127.0.0.1", 10024, timeout=60)
        client.ehlo("readme.test")
        assert client.rcpt("nobody@localhost")[0] == 503  # no MAIL yet
        client.mail("sender@example.org")
        assert client.rcpt("nobody@localhost")[0] == 550
        assert client.rcpt("demo@localhost")[0] == 250
        code, message = client.data(b"Subject: README test\r\n\r\nhello\r\n")
        assert code == 250 and message.startswith(b"2.0.0 <demo@localhost> "), message
        client.quit()
        import poplib
        pop3 = poplib.POP3("127.0.0.1", 10110, timeout=60)  # conf/objectmail.conf serves POP3 too
        pop3.user("demo@localhost")
        pop3.pass_("demo")
        assert pop3.stat()[0] >= 1
        pop3.quit()
    finally:
        status = stop(process)
    output = process.stdout.read().decode(errors="replace")
    assert status == 0, output
    assert "starting with conf/objectmail.conf" in output
    assert "obox_fs: fscache:512M:var/cache/mails:posix:var/objects" in output
    assert "listening: lmtp on 127.0.0.1:10024" in output
    assert "listening: pop3 on 127.0.0.1:10110" in output
    assert "shutting down" in output
