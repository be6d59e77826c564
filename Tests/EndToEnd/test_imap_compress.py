"""COMPRESS=DEFLATE (RFC 4978): raw deflate both ways, with pipelined commands and literals."""
import zlib

from conftest import raw_imap, until_tagged


class Deflated:
    """Both directions of a compressed IMAP connection."""

    def __init__(self, sock):
        self.sock = sock
        self.compressor = zlib.compressobj(wbits=-15)
        self.decompressor = zlib.decompressobj(wbits=-15)
        self.pending = b""

    def send(self, data: bytes):
        self.sock.sendall(self.compressor.compress(data) + self.compressor.flush(zlib.Z_SYNC_FLUSH))

    def readline(self) -> bytes:
        while b"\r\n" not in self.pending:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed"
            self.pending += self.decompressor.decompress(chunk)
        line, self.pending = self.pending.split(b"\r\n", 1)
        return line + b"\r\n"

    def until_tagged(self, tag: bytes) -> list[bytes]:
        lines = [self.readline()]
        while not lines[-1].startswith(tag + b" "):
            lines.append(self.readline())
        return lines

    def read(self, size: int) -> bytes:
        while len(self.pending) < size:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed"
            self.pending += self.decompressor.decompress(chunk)
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def test_compress_deflate_with_pipelined_literals(imap_server):
    server = imap_server()
    sock, reader = raw_imap(server, "jane@example.com")
    sock.sendall(b"c COMPRESS DEFLATE\r\n")
    assert until_tagged(reader, b"c") == [b"c OK Begin compression.\r\n"]
    wire = Deflated(sock)
    message = b"Subject: compressed\r\n\r\n" + b"line of text\r\n" * 500
    # Pipelined: two non-synchronizing literals, a synchronizing one, and commands after them, in one write.
    wire.send(b"a APPEND INBOX {%d+}\r\n%s\r\nb APPEND INBOX {%d+}\r\n%s\r\n" % (len(message), message, len(message), message)
              + b"s SELECT INBOX\r\nf FETCH 1:2 (RFC822.SIZE BODY.PEEK[])\r\n")
    lines = []
    while True:
        line = wire.readline()
        if line.endswith(b"}\r\n"):
            size = int(line[line.rindex(b"{") + 1:-3])
            line += wire.read(size)
        lines.append(line)
        if line.startswith(b"f "):
            break
    assert [line.split(b" ")[0] + b" " + line.split(b" ")[1] for line in lines if line[:1] in b"abs"] == [
        b"a OK", b"b OK", b"s OK"]
    fetches = [line for line in lines if b" FETCH " in line]
    assert len(fetches) == 2 and all(line.endswith(message) for line in fetches)
    assert lines[-1] == b"f OK Fetch completed.\r\n"
    # A synchronizing literal: the continuation request comes compressed too.
    wire.send(b"d APPEND INBOX {%d}\r\n" % len(message))
    assert wire.readline().startswith(b"+ ")
    wire.send(message + b"\r\n")
    lines = wire.until_tagged(b"d")
    assert lines[0] == b"* 3 EXISTS\r\n" and lines[-1].startswith(b"d OK [APPENDUID ")
    wire.send(b"x COMPRESS DEFLATE\r\n")
    assert wire.readline() == b"x NO [COMPRESSIONACTIVE] Compression already active.\r\n"
    wire.send(b"l LOGOUT\r\n")
    assert wire.readline() == b"* BYE Logging out\r\n"
    sock.close()
