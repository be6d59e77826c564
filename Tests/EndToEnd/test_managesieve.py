"""ManageSieve (RFC 5804, `protocols = sieve`): a raw client checks each answer line by line against what Dovecot's
managesieve (Pigeonhole 0.5) sends, then Debian's sieve-connect and PyPI's sievelib manage scripts as users' mail
clients do; a script put over ManageSieve decides an LMTP delivery; quotas, compile errors and STARTTLS."""
import base64
import os
import shutil
import smtplib
import socket
import subprocess
import textwrap

import pytest

from conftest import IMAP_PASSWORD, USERS, free_port, passwd_file_databases, wait_for_port
from test_tls import client_context, connect_from, make_certificate

USER = USERS[0]
SIEVE_CONNECT = shutil.which("sieve-connect")


def start(imap_server, settings="", plugin=""):
    port = free_port()
    extra = textwrap.dedent(f"""\
        protocols = lmtp imap sieve
        service managesieve-login {{
          inet_listener sieve {{
            address = 127.0.0.1
            port = {port}
          }}
        }}
        protocol lmtp {{
          mail_plugins = $mail_plugins sieve
        }}
        protocol sieve {{
          managesieve_max_line_length = 65536
          mail_max_userip_connections = 10
          managesieve_logout_format = bytes=%i/%o
          managesieve_implementation_string = Dovecot Pigeonhole
          managesieve_max_compile_errors = 5
        }}
        """) + settings
    server = imap_server(extra=extra, plugin="  sieve = file:~/sieve;active=~/.dovecot.sieve\n" + plugin)
    wait_for_port(port, server.process)
    server.sieve_port = port
    return server


class Raw:
    """A line-by-line ManageSieve client."""

    def __init__(self, port, source="127.0.0.1", sock=None):
        if sock is None:
            sock, _ = connect_from(source, port)
        self.sock = sock
        self.reader = sock.makefile("rb")

    def line(self) -> bytes:
        line = self.reader.readline()
        assert line, "connection closed"
        return line.rstrip(b"\r\n")

    def response(self) -> list[bytes]:
        """Lines up to and including the OK/NO/BYE; a literal is read whole."""
        lines = []
        while True:
            line = self.line()
            if line.endswith(b"}") and b"{" in line:
                size = int(line[line.rindex(b"{") + 1:-1].rstrip(b"+"))
                line = line + b"\r\n" + self.reader.read(size)
                rest = self.line()
                line += rest
            lines.append(line)
            if line.startswith((b"OK", b"NO", b"BYE")):
                return lines

    def send(self, data: bytes) -> list[bytes]:
        self.sock.sendall(data + b"\r\n")
        return self.response()

    def login(self, user=USER):
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + IMAP_PASSWORD.encode())
        assert self.send(b'AUTHENTICATE "PLAIN" "' + token + b'"') == [b'OK "Logged in."']


def capability_map(lines):
    result = {}
    for line in lines[:-1]:
        words = line.split(b'" "')
        result[words[0].strip(b'"').decode()] = words[1].strip(b'"').decode() if len(words) > 1 else None
    return result


def test_protocol_line_by_line_as_dovecot_answers(imap_server):
    server = start(imap_server, plugin="  sieve_quota_max_scripts = 3\n  sieve_quota_max_storage = 900\n  sieve_max_script_size = 500\n")
    client = Raw(server.sieve_port)
    greeting = client.response()
    assert greeting[-1] == b'OK "ObjectMail ready."'
    capabilities = capability_map(greeting)
    assert capabilities["IMPLEMENTATION"] == "Dovecot Pigeonhole" and capabilities["VERSION"] == "1.0"
    assert capabilities["SASL"] == "PLAIN LOGIN" and "STARTTLS" not in capabilities and "NOTIFY" not in capabilities
    assert capabilities["SIEVE"].startswith("fileinto reject envelope encoded-character vacation subaddress")
    assert "editheader" not in capabilities["SIEVE"].split() and "comparator-i;octet" not in capabilities["SIEVE"]
    assert client.send(b"CAPABILITY") == greeting[:-1] + [b'OK "Capability completed."']
    assert client.send(b"LISTSCRIPTS") == [b'NO "Error in MANAGESIEVE command received by server."']
    assert client.send(b"NOOP") == [b'OK "NOOP Completed"']
    assert client.send(b'NOOP "tag1"') == [b'OK (TAG "tag1") "Done"']
    assert client.send(b'AUTHENTICATE "PLAIN" "' + base64.b64encode(b"\0jane@example.com\0wrong") + b'"') == [
        b'NO "Authentication failed."']
    client.login()
    after = client.send(b"CAPABILITY")
    assert capability_map(after)["MAXREDIRECTS"] == "4" and "SASL" not in capability_map(after)
    assert client.send(b"LISTSCRIPTS") == [b'OK "Listscripts completed."']
    assert client.send(b'PUTSCRIPT "a" {12+}\r\nkeep;\r\nstop;') == [b'OK "PUTSCRIPT completed."']
    assert client.send(b'PUTSCRIPT "bad" {20+}\r\nrequire "foo";\nkeep;') == [
        b"NO {102}\r\nbad: line 1: error: require command: unknown Sieve capability `foo'.\r\n"
        b"bad: error: validation failed.\r\n"]
    assert client.send(b"CHECKSCRIPT {5+}\r\nkeep;") == [b'OK "Script checked successfully."']
    assert client.send(b"CHECKSCRIPT {4+}\r\nfoo;") == [
        b"NO {107}\r\nline 1: error: unknown command 'foo' (only reported once at first occurrence).\r\n"
        b"error: validation failed.\r\n"]
    assert client.send(b'PUTSCRIPT "p" "keep"') == [
        b"NO {137}\r\np: line 1: error: expected end of command ';' or the beginning of a compound block '{', but found "
        b"end of file.\r\np: error: parse failed.\r\n"]
    assert client.send(b'HAVESPACE "x" 100') == [b'OK "Putscript would succeed."']
    assert client.send(b'HAVESPACE "x" 600') == [b'NO (QUOTA/MAXSIZE) "Script is too large (max 500 bytes)."']
    assert client.send(b'PUTSCRIPT "b" "keep;"') == [b'OK "PUTSCRIPT completed."']
    assert client.send(b'PUTSCRIPT "c" "keep;"') == [b'OK "PUTSCRIPT completed."']
    assert client.send(b'PUTSCRIPT "d" "keep;"') == [b'NO (QUOTA/MAXSCRIPTS) "Script count quota exceeded (max 3 scripts)."']
    big = b"# " + b"x" * 470 + b"\nkeep;\n"
    assert client.send(b'PUTSCRIPT "c" {%d+}\r\n' % len(big) + big) == [b'OK "PUTSCRIPT completed."']
    assert client.send(b'PUTSCRIPT "b" {%d+}\r\n' % len(big) + big) == [
        b'NO (QUOTA/MAXSTORAGE) "Script storage quota exceeded (max 900 bytes)."']
    too_big = b"#" * 600
    assert client.send(b'PUTSCRIPT "b" {600+}\r\n' + too_big) == [b'NO (QUOTA/MAXSIZE) "Script is too large (max 500 bytes)."']
    assert client.send(b'SETACTIVE "a"') == [b'OK "Setactive completed."']
    assert client.send(b'SETACTIVE "zz"') == [b"NO (NONEXISTENT) \"Sieve script `zz' not found\""]
    assert client.send(b"LISTSCRIPTS") == [b'"a" ACTIVE', b'"b"', b'"c"', b'OK "Listscripts completed."']
    assert client.send(b'GETSCRIPT "a"') == [b"{12}\r\nkeep;\r\nstop;", b'OK "Getscript completed."']
    assert client.send(b'GETSCRIPT "zz"') == [b"NO (NONEXISTENT) \"Sieve script `zz' not found\""]
    assert client.send(b'DELETESCRIPT "a"') == [b'NO (ACTIVE) "Cannot delete the active Sieve script."']
    assert client.send(b'DELETESCRIPT "zz"') == [b"NO (NONEXISTENT) \"Sieve script `zz' not found\""]
    assert client.send(b'RENAMESCRIPT "a" "b"') == [b'NO (ALREADYEXISTS) "A sieve script with that name already exists."']
    assert client.send(b'RENAMESCRIPT "zz" "y"') == [b"NO (NONEXISTENT) \"Sieve script `zz' not found\""]
    assert client.send(b'RENAMESCRIPT "a" "a"') == [b'NO (ALREADYEXISTS) "A sieve script with that name already exists."']
    assert client.send(b'RENAMESCRIPT "a" "x/y"') == [b"NO \"Invalid new Sieve script name `x/y'.\""]
    assert client.send(b'PUTSCRIPT "a/b" "keep;"') == [b"NO \"Invalid Sieve script name `a/b'.\""]
    assert client.send(b'HAVESPACE "a/b" 10') == [b'NO "Invalid script name."']
    assert client.send(b'RENAMESCRIPT "a" "e"') == [b'OK "Renamescript completed."']
    assert client.send(b"LISTSCRIPTS") == [b'"b"', b'"c"', b'"e" ACTIVE', b'OK "Listscripts completed."']
    assert client.send(b'SETACTIVE ""') == [b'OK "Active script is now deactivated."']
    assert client.send(b'DELETESCRIPT "e"') == [b'OK "Deletescript completed."']
    assert client.send(b"LISTSCRIPTS") == [b'"b"', b'"c"', b'OK "Listscripts completed."']
    assert client.send(b"PUTSCRIPT") == [b'NO "Error in MANAGESIEVE command PUTSCRIPT: Missing arguments."']
    assert client.send(b"PUTSCRIPT a b") == [b'NO "Error in MANAGESIEVE command PUTSCRIPT: Invalid arguments."']
    assert client.send(b"FOO") == [b'NO "Error in MANAGESIEVE command FOO: Unknown command."']
    assert client.send(b"UNAUTHENTICATE") == [b'OK "Unauthenticate completed."']
    assert client.send(b"LISTSCRIPTS") == [b'NO "Error in MANAGESIEVE command received by server."']
    client.login()
    assert client.send(b"LOGOUT") == [b'OK "Logout completed."']
    assert client.reader.readline() == b""
    assert server.stop() == 0
    log = server.log.read_text()
    assert "managesieve(jane@example.com)" in log and "Disconnected: Logged out bytes=" in log


def test_line_and_literal_limits(imap_server):
    server = start(imap_server, settings="protocol sieve {\n  managesieve_max_line_length = 2048\n}\n",
                   plugin="  sieve_max_script_size = 4k\n")
    client = Raw(server.sieve_port)
    client.response()
    assert client.send(b"NOOP " + b"x" * 5000) == [b'NO "Too long command line."']
    client.login()
    # A literal over the script limit is read and dropped, never kept; the session goes on.
    huge = b"#" * 200_000
    assert client.send(b'PUTSCRIPT "big" {%d+}\r\n' % len(huge) + huge) == [
        b'NO (QUOTA/MAXSIZE) "Script is too large (max 4096 bytes)."']
    assert client.send(b"NOOP") == [b'OK "NOOP Completed"']


def test_script_put_over_managesieve_files_an_lmtp_delivery(imap_server):
    server = start(imap_server)
    client = Raw(server.sieve_port)
    client.response()
    client.login()
    script = b'require ["fileinto", "mailbox"];\r\nif header :contains "subject" "report" {\r\n  fileinto :create "Reports";\r\n}\r\n'
    assert client.send(b'PUTSCRIPT "filters" {%d+}\r\n' % len(script) + script) == [b'OK "PUTSCRIPT completed."']
    assert client.send(b'SETACTIVE "filters"') == [b'OK "Setactive completed."']
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as lmtp:
        lmtp.sendmail("sender@example.org", [USER], b"Subject: weekly report\r\n\r\nnumbers\r\n")
        lmtp.sendmail("sender@example.org", [USER], b"Subject: hello\r\n\r\nhi\r\n")
    imap = server.imap(USER)
    assert imap.select("Reports")[1] == [b"1"]
    assert imap.select("INBOX")[1] == [b"1"]
    imap.logout()
    client.send(b"LOGOUT")


def test_sieve_connect_over_starttls(imap_server, tmp_path):
    assert SIEVE_CONNECT, "sieve-connect is not installed (scripts/lib/install-deps.sh installs it)"
    # sieve-connect sends no password without TLS: it runs STARTTLS first.
    tls = tmp_path / "tls"
    tls.mkdir()
    cert, key = make_certificate(tls, "sieve")
    server = start(imap_server, settings=f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n")
    local = tmp_path / "vacation.sieve"
    local.write_text('require "fileinto";\nif header :is "x-spam" "yes" { fileinto "Junk"; }\n')
    fetched = tmp_path / "fetched.sieve"
    commands = tmp_path / "commands"
    commands.write_text(f"put {local} vacation\nlist\nactivate vacation\nlist\nget vacation {fetched}\n"
                        "deactivate\ndelete vacation\nlist\nquit\n")
    read, write = os.pipe()
    os.write(write, IMAP_PASSWORD.encode() + b"\n")
    os.close(write)
    result = subprocess.run(
        [SIEVE_CONNECT, "--server", "127.0.0.1", "--port", str(server.sieve_port), "--user", USER, "--passwordfd", str(read),
         "--authmech", "PLAIN", "--notlsverify", "--exec", str(commands)],
        pass_fds=[read], capture_output=True, timeout=60)
    os.close(read)
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, output
    assert '"vacation" ACTIVE' in output, output
    assert fetched.read_text() == local.read_text()
    client = Raw(server.sieve_port)
    client.response()
    client.login()
    assert client.send(b"LISTSCRIPTS") == [b'OK "Listscripts completed."']


# Over clear text on 127.0.0.1 (sieve-connect covers STARTTLS); sievelib warns about it.
@pytest.mark.filterwarnings("ignore:Credentials are sent over an unencrypted connection")
def test_sievelib(imap_server):
    from sievelib.managesieve import Client
    server = start(imap_server)
    client = Client("127.0.0.1", server.sieve_port)
    assert client.connect(USER, IMAP_PASSWORD, authmech="PLAIN")
    assert client.get_implementation() == "Dovecot Pigeonhole"
    assert "fileinto" in client.get_sieve_capabilities()
    script = 'require ["fileinto"];\nfileinto "Archive";\n'
    assert client.havespace("archive", len(script))
    assert client.putscript("archive", script)
    assert client.setactive("archive")
    assert client.listscripts() == ("archive", [])
    # sievelib drops the last line break of what it downloads.
    assert client.getscript("archive") == script.rstrip("\n")
    assert client.renamescript("archive", "archived")
    assert client.listscripts() == ("archived", [])
    assert not client.putscript("broken", "fileinto;\n")
    assert client.checkscript(script)
    assert client.setactive("")
    assert client.deletescript("archived")
    assert client.listscripts() == (None, [])
    client.logout()


def test_starttls_then_authenticate(imap_server, tmp_path):
    tls = tmp_path / "tls"
    tls.mkdir()
    cert, key = make_certificate(tls, "sieve")
    server = start(imap_server, settings=f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n")
    client = Raw(server.sieve_port, source="127.0.0.2")
    capabilities = capability_map(client.response())
    # Not local, no TLS: no password may be sent yet (disable_plaintext_auth = yes).
    assert "STARTTLS" in capabilities and capabilities["SASL"] == ""
    assert client.send(b'AUTHENTICATE "PLAIN" "' + base64.b64encode(b"\0jane@example.com\0secret") + b'"') == [
        b'NO "Plaintext authentication disabled."']
    # A command pipelined in clear text behind STARTTLS is dropped (CVE-2011-0411).
    client.sock.sendall(b"STARTTLS\r\nLOGOUT\r\n")
    assert client.line() == b'OK "Begin TLS negotiation now."'
    secure = Raw(None, sock=client_context().wrap_socket(client.sock, server_hostname="localhost"))
    after = secure.response()
    assert after[-1] == b'OK "TLS negotiation successful."'
    assert capability_map(after)["SASL"] == "PLAIN LOGIN" and "STARTTLS" not in capability_map(after)
    assert secure.send(b"STARTTLS") == [b'NO "TLS is already active."']
    secure.login()
    assert secure.send(b"LISTSCRIPTS") == [b'OK "Listscripts completed."']
    secure.send(b"LOGOUT")
    assert server.stop() == 0
    assert ", TLS" in server.log.read_text()


@pytest.mark.parametrize("setting,message", [
    ("protocol sieve {\n  managesieve_notify_capability = mailto\n}\n", "enotify extension is not implemented"),
    ("protocol sieve {\n  managesieve_max_line_length = lots\n}\n", "managesieve_max_line_length"),
])
def test_settings_refused(run, tmp_path, setting, message):
    users = tmp_path / "users"
    users.write_text("jane@example.com:{PLAIN}secret::::::\n")
    config = tmp_path / "objectmail.conf"
    config.write_text(textwrap.dedent(f"""\
        protocols = sieve
        mail_allow_root = yes
        service managesieve-login {{
          inet_listener sieve {{
            port = 4190
          }}
        }}
        plugin {{
          obox_fs = posix:{tmp_path}/objects
        }}
        """) + passwd_file_databases(users) + "\n" + setting)
    result = run("serve", "-c", str(config), cwd=tmp_path, timeout=30)
    assert result.returncode != 0 and message in result.stdout + result.stderr


def test_authenticate_login_with_challenges_and_abort(imap_server):
    server = start(imap_server)
    client = Raw(server.sieve_port)
    client.response()
    # Challenges are strings on their own line; the client answers with strings (RFC 5804 §2.1).
    client.sock.sendall(b'AUTHENTICATE "PLAIN"\r\n')
    assert client.line() == b'""'
    assert client.send(b'"*"') == [b'NO "Authentication aborted by client."']
    assert client.send(b'AUTHENTICATE "FOO"') == [b'NO "Unsupported authentication mechanism."']
    assert client.send(b'AUTHENTICATE "PLAIN" "!!!"') == [b'NO "Invalid base64 data in initial response"']
    assert client.send(b"STARTTLS") == [b'NO "TLS support isn\'t enabled."']
    client.sock.sendall(b'AUTHENTICATE "LOGIN"\r\n')
    assert client.line() == b'"VXNlcm5hbWU6"'
    client.sock.sendall(b'"' + base64.b64encode(USER.encode()) + b'"\r\n')
    assert client.line() == b'"UGFzc3dvcmQ6"'
    # A literal is a string too.
    password = base64.b64encode(IMAP_PASSWORD.encode())
    assert client.send(b"{%d+}\r\n" % len(password) + password) == [b'OK "Logged in."']
    assert client.send(b'AUTHENTICATE "PLAIN"') == [b'NO "Error in MANAGESIEVE command AUTHENTICATE: Unknown command."']
    client.send(b"LOGOUT")
    assert server.stop() == 0
    assert "method=LOGIN" in server.log.read_text()


def test_mail_max_userip_connections_of_protocol_sieve(imap_server):
    server = start(imap_server, settings="protocol sieve {\n  mail_max_userip_connections = 1\n}\n")
    first, second = Raw(server.sieve_port), Raw(server.sieve_port)
    first.response()
    second.response()
    first.login()
    token = base64.b64encode(b"\0" + USER.encode() + b"\0" + IMAP_PASSWORD.encode())
    assert second.send(b'AUTHENTICATE "PLAIN" "' + token + b'"') == [
        b'NO "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=1)"']
    assert first.send(b"LOGOUT") == [b'OK "Logout completed."']
    assert first.reader.readline() == b""
    second.login()
    # IMAP counts its own sessions.
    server.imap(USER).logout()


def test_third_bad_command_before_login_ends_the_connection(imap_server):
    server = start(imap_server)
    client = Raw(server.sieve_port)
    client.response()
    # Dovecot's managesieve-login: NO, NO, then BYE instead of the third NO.
    client.sock.sendall(b'\r\nNOOP\r\n   \r\n"x"\r\n')
    assert [client.line() for _ in range(4)] == [
        b'NO "Error in MANAGESIEVE command received by server."', b'OK "NOOP Completed"',
        b'NO "Error in MANAGESIEVE command received by server."', b'BYE "Too many invalid MANAGESIEVE commands."']
    assert client.reader.readline() == b""


DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


class DovecotManageSieve:
    """Dovecot's own managesieve (Debian's dovecot-managesieved) in a private folder, with the same users and quotas."""

    def __init__(self, plugin: str):
        import tempfile
        # Under /tmp with mode 0755: Dovecot's unprivileged helpers must reach base_dir; homes belong to the dovecot user.
        self.root = tempfile.mkdtemp(prefix="objectmail-managesieve-")
        os.chmod(self.root, 0o755)
        os.makedirs(f"{self.root}/home", mode=0o777)
        os.chmod(f"{self.root}/home", 0o777)
        self.port = free_port()
        with open(f"{self.root}/users", "w") as file:
            file.write(f"{USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
        self.config = f"{self.root}/dovecot.conf"
        with open(self.config, "w") as file:
            file.write(textwrap.dedent(f"""\
                base_dir = {self.root}/run
                state_dir = {self.root}/state
                log_path = {self.root}/dovecot.log
                protocols = sieve
                first_valid_uid = 1
                listen = 127.0.0.1
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain login
                default_internal_user = dovecot
                default_login_user = dovenull
                mail_location = maildir:~/Maildir
                service managesieve-login {{
                  inet_listener sieve {{
                    address = 127.0.0.1
                    port = {self.port}
                  }}
                }}
                passdb {{
                  driver = passwd-file
                  args = {self.root}/users
                }}
                userdb {{
                  driver = static
                  args = uid=dovecot gid=dovecot home={self.root}/home/%u
                }}
                plugin {{
                  sieve = file:~/sieve;active=~/.dovecot.sieve
                """) + plugin + "}\n")
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", self.config], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, timeout=30)

    def stop(self):
        import signal
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)
        shutil.rmtree(self.root, ignore_errors=True)


# Commands sent to both servers, after the login; each answer is compared (the SIEVE/NOTIFY/IMPLEMENTATION/UNAUTHENTICATE
# capabilities and the greeting's text aside: docs/sieve.md lists those differences).
DIFFERENTIAL = [
    b"CAPABILITY", b"LISTSCRIPTS", b'PUTSCRIPT "a" {12+}\r\nkeep;\r\nstop;', b'PUTSCRIPT "bad" {20+}\r\nrequire "foo";\nkeep;',
    b'PUTSCRIPT "p" "keep"', b'CHECKSCRIPT "if true {"', b'CHECKSCRIPT "keep;"', b'HAVESPACE "x" 100', b'HAVESPACE "x" 600',
    b'HAVESPACE "a/b" 1', b'PUTSCRIPT "b" "keep;"', b'PUTSCRIPT "c" "discard;"', b'PUTSCRIPT "d" "keep;"',
    b'SETACTIVE "a"', b'SETACTIVE "zz"', b'GETSCRIPT "a"', b'GETSCRIPT "zz"', b'DELETESCRIPT "a"', b'DELETESCRIPT "zz"',
    b'RENAMESCRIPT "a" "b"', b'RENAMESCRIPT "zz" "y"', b'RENAMESCRIPT "a" "a"', b'RENAMESCRIPT "a" "x/y"',
    b'RENAMESCRIPT "a" "e"', b'GETSCRIPT "e"', b'SETACTIVE ""', b'DELETESCRIPT "e"', b'PUTSCRIPT "a/b" "keep;"',
    b"NOOP", b'NOOP "t"', b"PUTSCRIPT", b"PUTSCRIPT a b", b"STARTTLS", b"LOGOUT",
]


DIFFERENT_CAPABILITIES = (b'"IMPLEMENTATION"', b'"SIEVE"', b'"NOTIFY"', b'"UNAUTHENTICATE"')


def transcript(port):
    client = Raw(port)
    lines = [line for line in client.response() if not line.startswith(DIFFERENT_CAPABILITIES)]
    answers = [lines[:-1]]
    for command in [b'AUTHENTICATE "FOO"', b'AUTHENTICATE "PLAIN" "!!!"', b"LISTSCRIPTS"]:
        answers.append((command, client.send(command)))
    client.login()
    for command in DIFFERENTIAL:
        answer = [line for line in client.send(command) if not line.startswith(DIFFERENT_CAPABILITIES)]
        # Dovecot lists scripts in directory order.
        answers.append((command, sorted(answer[:-1]) + answer[-1:]))
    return answers


def test_answers_match_dovecots_managesieve(imap_server):
    assert os.access(DOVECOT, os.X_OK), "dovecot is not installed (scripts/lib/install-deps.sh installs it)"
    assert os.path.exists("/usr/lib/dovecot/managesieve"), "dovecot-managesieved is not installed (scripts/lib/install-deps.sh)"
    plugin = "  sieve_quota_max_scripts = 3\n  sieve_quota_max_storage = 1000\n  sieve_max_script_size = 500\n"
    dovecot = DovecotManageSieve(plugin)
    try:
        theirs = transcript(dovecot.port)
    finally:
        dovecot.stop()
    ours = transcript(start(imap_server, plugin=plugin).sieve_port)
    for mine, reference in zip(ours, theirs):
        assert mine == reference
    assert len(ours) == len(theirs)
