"""A minimal asyncio IMAP client for load generation: sends one command, reads until its tagged reply
(literals included), keeps no parsed state beyond what the scenarios ask for. Cheap on CPU on purpose:
lines are matched as bytes, never decoded."""
import asyncio
import re

LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")
EXISTS = re.compile(rb"^\* (\d+) EXISTS")


class IMAPError(Exception):
    pass


class IMAPClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.counter = 0
        self.received = 0

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1") -> "IMAPClient":
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
        client = cls(reader, writer)
        greeting = await reader.readline()
        if not greeting.startswith(b"* OK"):
            raise IMAPError(f"greeting {greeting!r}")
        return client

    def _tag(self) -> bytes:
        self.counter += 1
        return b"a%d" % self.counter

    async def _line(self) -> bytes:
        """One response line with its literals inlined."""
        line = await self.reader.readline()
        if not line:
            raise IMAPError("connection closed")
        while (match := LITERAL.search(line)):
            line += await self.reader.readexactly(int(match.group(1)))
            more = await self.reader.readline()
            if not more:
                raise IMAPError("connection closed in a literal")
            line += more
        self.received += len(line)
        return line

    async def until_tagged(self, tag: bytes) -> tuple[list[bytes], bytes]:
        untagged = []
        prefix = tag + b" "
        while True:
            line = await self._line()
            if line.startswith(prefix):
                return untagged, line
            untagged.append(line)

    async def command(self, text: bytes, check: bool = True) -> tuple[list[bytes], bytes]:
        tag = self._tag()
        self.writer.write(tag + b" " + text + b"\r\n")
        untagged, status = await self.until_tagged(tag)
        if check and not status.startswith(tag + b" OK"):
            raise IMAPError(f"{text[:60]!r}: {status!r}")
        return untagged, status

    async def login(self, user: str, password: str) -> None:
        await self.command(b"LOGIN %s %s" % (user.encode(), password.encode()))

    async def select(self, mailbox: bytes = b"INBOX") -> int:
        untagged, _ = await self.command(b"SELECT " + mailbox)
        for line in untagged:
            if (match := EXISTS.match(line)):
                return int(match.group(1))
        return 0

    async def append(self, message: bytes, mailbox: bytes = b"INBOX") -> int | None:
        """APPEND with a synchronizing literal (every server takes it); the new UID from APPENDUID."""
        tag = self._tag()
        self.writer.write(tag + b" APPEND " + mailbox + b" {%d}\r\n" % len(message))
        while True:
            line = await self._line()
            if line.startswith(b"+"):
                break
            if line.startswith(tag + b" "):
                raise IMAPError(f"APPEND refused: {line!r}")
        self.writer.write(message + b"\r\n")
        _, status = await self.until_tagged(tag)
        if not status.startswith(tag + b" OK"):
            raise IMAPError(f"APPEND: {status!r}")
        match = APPENDUID.search(status)
        return int(match.group(1)) if match else None

    async def start_idle(self) -> bytes:
        tag = self._tag()
        self.writer.write(tag + b" IDLE\r\n")
        while True:
            line = await self._line()
            if line.startswith(b"+"):
                return tag
            if line.startswith(tag + b" "):
                raise IMAPError(f"IDLE refused: {line!r}")

    async def done(self, tag: bytes) -> None:
        self.writer.write(b"DONE\r\n")
        _, status = await self.until_tagged(tag)
        if not status.startswith(tag + b" OK"):
            raise IMAPError(f"IDLE: {status!r}")

    async def close(self) -> None:
        try:
            self.writer.write(b"z LOGOUT\r\n")
            await asyncio.wait_for(self.writer.drain(), 5)
        except (OSError, asyncio.TimeoutError):
            pass
        self.writer.close()
