"""verbose_proctitle: with yes the process title (/proc/PID/cmdline, what ps shows) counts the open connections by
service, as Dovecot's imap processes show `[idling]` or `[N connections]`; with no it stays the command line; a
reload turns it on and off."""
import os
import signal
import subprocess
import time

from conftest import wait_for, wait_for_port

IDLE = "objectmail [idling]"


def cmdline(server) -> bytes:
    with open(f"/proc/{server.process.pid}/cmdline", "rb") as file:
        return file.read()


def title(server) -> str:
    return cmdline(server).rstrip(b"\0").decode(errors="replace")


def shows(server, expected: str) -> bool:
    return wait_for(lambda: title(server) == expected, timeout=15)


def restart_with_short_command_line(server):
    """The same server started again as `./o serve -c c`: 16 bytes of arguments, fewer than any title, so the title
    runs on into the memory of the environment strings (moved away at start-up)."""
    assert server.stop() == 0, server.output
    os.symlink(server.binary, server.root / "o")
    os.symlink(server.config, server.root / "c")
    server.process = subprocess.Popen(["./o", "serve", "-c", "c"], cwd=server.root,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for port in (server.port, server.imap_port, server.pop3_port):
        wait_for_port(port, server.process)


def test_title_counts_connections_by_service_and_goes_back_down(pop3_server):
    server = pop3_server(extra="ssl = no\nverbose_proctitle = yes\n")
    assert shows(server, IDLE), title(server)
    first = server.imap("jane@example.com")
    second = server.imap()
    pop3 = server.pop3("joe@example.com")
    assert shows(server, "objectmail [3 connections: 2 imap, 1 pop3]"), title(server)
    # One string, as ps shows it: the arguments' NULs are gone, padding NULs only follow the title.
    assert b"\0" not in cmdline(server).rstrip(b"\0")

    first.logout()
    pop3.quit()
    assert shows(server, "objectmail [1 connection: 1 imap]"), title(server)
    second.logout()
    assert shows(server, IDLE), title(server)


def test_a_title_longer_than_the_arguments_uses_the_environment_area(pop3_server):
    server = pop3_server(extra="ssl = no\nverbose_proctitle = yes\n")
    restart_with_short_command_line(server)
    assert shows(server, IDLE), title(server)
    clients = [server.imap("jane@example.com"), server.imap(), server.pop3("joe@example.com")]
    assert shows(server, "objectmail [3 connections: 2 imap, 1 pop3]"), title(server)
    # The environment still reads (it was copied before its strings were overwritten): a login reads the users
    # file and writes the index as before.
    assert clients[0].select("INBOX")[0] == "OK"
    clients[0].logout()
    clients[1].logout()
    clients[2].quit()
    assert shows(server, IDLE), title(server)


def test_without_verbose_proctitle_the_command_line_stays_and_a_reload_turns_it_on_and_off(pop3_server):
    server = pop3_server(extra="ssl = no\n")
    original = cmdline(server)
    assert original.split(b"\0")[:4] == [server.binary.encode(), b"serve", b"-c", str(server.config).encode()]
    session = server.imap("jane@example.com")
    pop3 = server.pop3("joe@example.com")
    time.sleep(1.5)  # longer than the title's refresh interval: a title written by mistake would show by now
    assert cmdline(server) == original

    def reload(text: str, count: int):
        server.config.write_text(text)
        server.process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: server.log.read_text().count("SIGHUP: configuration reloaded") == count)

    plain = server.config.read_text()
    reload(plain + "verbose_proctitle = yes\n", 1)
    assert shows(server, "objectmail [2 connections: 1 imap, 1 pop3]"), title(server)
    assert "restart to apply" not in server.log.read_text()
    reload(plain, 2)
    assert wait_for(lambda: cmdline(server) == original), cmdline(server)
    pop3.quit()
    session.logout()
    time.sleep(1.5)
    assert cmdline(server) == original
