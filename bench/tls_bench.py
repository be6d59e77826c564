"""TLS cost on IMAP: handshakes/s (new connection + handshake + greeting) and FETCH throughput over
TLS versus plaintext, against an `objectmail serve` started here on a temporary configuration.
Usage: python3 bench/tls_bench.py OBJECTMAIL_BIN [SECONDS_PER_POINT] [CONCURRENCY]"""
import imaplib
import os
import pathlib
import socket
import ssl
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

MESSAGES = 100
MESSAGE_SIZE = 100 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"objectmail exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def client_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connections_per_second(port: int, tls: bool, seconds: float, concurrency: int) -> float:
    """Connect, (handshake,) read the greeting, close — as fast as `concurrency` threads can."""
    context = client_context()
    counts = [0] * concurrency
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        while time.monotonic() < deadline:
            raw = socket.create_connection(("127.0.0.1", port), timeout=30)
            sock = context.wrap_socket(raw, server_hostname="localhost") if tls else raw
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            sock.close()
            counts[index] += 1
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(index,)) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def fetch_throughput(port: int, tls: bool, seconds: float) -> float:
    """MB/s of `FETCH 1:* BODY.PEEK[]` repeated on one connection."""
    client = (imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=client_context(), timeout=60) if tls
              else imaplib.IMAP4("127.0.0.1", port, timeout=60))
    client.login("bench@example.com", "secret")
    client.select("INBOX", readonly=True)
    client.fetch("1:*", "(BODY.PEEK[])")  # warm the cache and the index
    total, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        typ, data = client.fetch("1:*", "(BODY.PEEK[])")
        assert typ == "OK"
        total += sum(len(part[1]) for part in data if isinstance(part, tuple))
    elapsed = time.monotonic() - started
    client.logout()
    return total / elapsed / 1e6


def main() -> None:
    binary = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    concurrency = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    root = pathlib.Path(tempfile.mkdtemp(prefix="tls-bench-"))
    imap_port, imaps_port = free_port(), free_port()
    (root / "users").write_text("bench@example.com:{PLAIN}secret::::::\n")
    (root / "objectmail.conf").write_text(textwrap.dedent(f"""\
        mail_allow_root = yes
        log_path = {root}/objectmail.log
        protocols = imap
        service imap-login {{
          inet_listener imap {{
            address = 127.0.0.1
            port = {imap_port}
          }}
          inet_listener imaps {{
            address = 127.0.0.1
            port = {imaps_port}
            ssl = yes
          }}
        }}
        ssl_self_signed_dir = {root}/tls
        mail_home = {root}/home/%u
        passdb {{
          driver = passwd-file
          args = {root}/users
        }}
        userdb {{
          driver = passwd-file
          args = {root}/users
        }}
        plugin {{
          obox_fs = fscache:512M:{root}/cache:posix:{root}/objects
          obox_index_fs = posix:{root}/objects
        }}
        """))
    process = subprocess.Popen([binary, "serve", "-c", str(root / "objectmail.conf")], cwd=root)
    try:
        wait_for(imap_port, process)
        wait_for(imaps_port, process)
        client = imaplib.IMAP4("127.0.0.1", imap_port)
        client.login("bench@example.com", "secret")
        body = b"Subject: bench\r\n\r\n" + (b"x" * 76 + b"\r\n") * (MESSAGE_SIZE // 78)
        for _ in range(MESSAGES):
            client.append("INBOX", None, None, body)
        client.logout()
        print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  nproc: {os.cpu_count()}  "
              f"load: {' '.join(open('/proc/loadavg').read().split()[:3])}  binary: {binary}")
        print(f"client: Python {sys.version.split()[0]} ssl ({ssl.OPENSSL_VERSION}), {concurrency} threads, {seconds:g} s per point")
        plain = connections_per_second(imap_port, False, seconds, concurrency)
        tls = connections_per_second(imaps_port, True, seconds, concurrency)
        print(f"connections/s   plaintext {plain:8.0f}   TLS (handshake) {tls:8.0f}   TLS/plain {tls / plain:5.2f}")
        plain_rate = fetch_throughput(imap_port, False, seconds)
        tls_rate = fetch_throughput(imaps_port, True, seconds)
        print(f"FETCH MB/s      plaintext {plain_rate:8.1f}   TLS             {tls_rate:8.1f}   TLS/plain {tls_rate / plain_rate:5.2f}"
              f"   ({MESSAGES} x {MESSAGE_SIZE // 1024} KB, one connection)")
        result = subprocess.run(["openssl", "s_time", "-connect", f"127.0.0.1:{imaps_port}", "-new", "-time", str(int(seconds))],
                                capture_output=True, text=True)
        line = [entry for entry in result.stdout.splitlines() if "real seconds" in entry]
        if line:
            count, wall = int(line[0].split()[0]), float(line[0].split()[3])
            print(f"openssl s_time  1 client, full handshakes: {count / wall:.0f}/s ({line[0].strip()})")
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
