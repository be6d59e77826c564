"""A tiny HTTP server for the S3 client's retry, timeout and shutdown tests (S3 semantics are tested
against SeaweedFS). Usage: flaky_http.py PARENT_PID. It prints its port and pid, then answers by the last path component:
  fail-N-ID    503 SlowDown for the first N requests to that path, then 200
  status-C-ID  always HTTP C with an S3 error body
  slow-ID      waits 30 s before answering
  stored-ID    the first PUT is stored (its MD5 kept as ETag) but answered 503, as if the answer was lost;
               later PUTs get 412, HEAD returns the stored ETag
  stored-other-ID  the same, but the stored ETag is that of other bytes (a concurrent writer won)
anything else  200 with body "ok"."""
import hashlib, http.server, re, socketserver, sys, threading, time

counts = {}
stored = {}
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        name = self.path.split("?")[0].rstrip("/").split("/")[-1]
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            seen = counts[self.path]
        status, body, etag = 200, b"ok", None
        if m := re.match(r"fail-(\d+)-", name):
            if seen <= int(m.group(1)):
                status, body = 503, b"<Error><Code>SlowDown</Code><Message>slow down</Message><RequestId>flaky-%d</RequestId></Error>" % seen
        elif m := re.match(r"status-(\d+)-", name):
            status, body = int(m.group(1)), b"<Error><Code>Teapot</Code><Message>no</Message><RequestId>flaky-%d</RequestId></Error>" % seen
        elif name.startswith("slow-"):
            time.sleep(30)
        elif name.startswith("stored-"):
            with lock:
                if self.command == "PUT" and self.path not in stored:
                    stored[self.path] = hashlib.md5(b"someone else" if name.startswith("stored-other-") else payload).hexdigest()
                    status, body = 503, b"<Error><Code>InternalError</Code><Message>lost</Message></Error>"
                elif self.command == "PUT":
                    status, body = 412, b"<Error><Code>PreconditionFailed</Code><Message>exists</Message></Error>"
                elif self.command == "HEAD" and self.path in stored:
                    etag = '"%s"' % stored[self.path]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-request-id", "flaky-%d" % seen)
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = answer

class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True

import os, signal
# Started from a test thread whose signal mask may block SIGTERM: undo that.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], os.getpid(), flush=True)
# Exit once the test process (argv[1]) is gone, even if it crashed. A crashed test process stays a
# zombie until `swift test` reaps it, and `swift test` waits for our end of its output pipe first, so
# "still signalable" is not enough: our parent changing (we were re-parented) also means it is gone.
def watch(parent=int(sys.argv[1]), started_under=os.getppid()):
    while True:
        try:
            os.kill(parent, 0)
            if os.getppid() != started_under:
                os._exit(0)
            with open(f"/proc/{parent}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    os._exit(0)
        except OSError:
            os._exit(0)
        time.sleep(1)
threading.Thread(target=watch, daemon=True).start()
server.serve_forever()
