"""Differential IMAP sessions: the same scripted sessions against Dovecot 2.3 and ObjectMail, every response line
recorded over a raw socket (untagged ones included), then normalised so that only what may legitimately differ
between two servers is hidden, and compared step by step.

What the normaliser hides, and nothing else:
- tags (identical on both sides anyway), the human-readable text after a status response's code (`OK [X] text`),
  the text of a continuation request (`+ idling`), the server's ID answer;
- UIDVALIDITY values and mod-sequence values (RFC 7162: server-specific numbers): each distinct value becomes a
  symbol in order of first appearance (`V1`, `M3`), so equal values stay equal and a value reported in the wrong
  place (a mailbox's HIGHESTMODSEQ where a message's MODSEQ belongs) still shows;
- INTERNALDATE / SAVEDATE values within an hour of the run (a message APPENDed without a date): `<now>`.
  Scripts APPEND with explicit dates wherever the date is compared;
- orders that no RFC fixes: capability words, flags in a flag list, FETCH data items in one FETCH response,
  STATUS and ESEARCH items, SEARCH hits, and the untagged responses of commands marked `unordered` (SELECT's
  responses, LIST's lines); quoted string versus literal (RFC 3501 §4.3), atom versus string for a mailbox name;
- the representation of a sequence set (`1:3` = `1,2,3`).
"""
import base64
import datetime
import difflib
import hashlib
import pathlib
import re
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "suite"))
import corpus as bench_corpus  # noqa: E402  (the benchmark's deterministic mail corpus)

PASSWORD = "secret"


# ---------------------------------------------------------------------------------------------------------------
# Sending and recording

@dataclass
class Lit:
    """A literal in a command: synchronizing (`{n}`, waits for `+`), non-synchronizing (`{n+}`) or binary (`~{n}`)."""
    data: bytes
    sync: bool = False
    binary: bool = False


@dataclass
class Var:
    """A server-specific number used in a command (a MODSEQ or UIDVALIDITY taken from an earlier answer): shown
    through the same symbol table as the responses, so the request reads the same on both servers."""
    kind: str  # "modseq" or "uidvalidity"
    value: int | None


@dataclass
class Exchange:
    session: str
    request: list  # str / Lit / Var parts, or a marker string such as "<greeting>"
    lines: list[bytes] = field(default_factory=list)


class Connection:
    """A socket with its own buffer, so reads can time out without losing data (makefile() cannot)."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""
        self.closed = False

    def _fill(self, timeout: float) -> bool:
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def line(self, timeout: float = 30) -> bytes | None:
        """One response line with its literals inlined; None on timeout or a closed connection."""
        deadline = time.monotonic() + timeout
        result = b""
        while True:
            end = self.buffer.find(b"\r\n")
            while end < 0:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed or not self._fill(left):
                    return None
                end = self.buffer.find(b"\r\n")
            piece, self.buffer = self.buffer[:end + 2], self.buffer[end + 2:]
            result += piece
            literal = re.search(rb"~?\{(\d+)\}\r\n$", piece)
            if not literal:
                return result
            size = int(literal.group(1))
            while len(self.buffer) < size:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed or not self._fill(left):
                    return None
            result += self.buffer[:size]
            self.buffer = self.buffer[size:]

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


CLOSED, TIMEOUT = b"<connection closed>", b"<no answer>"


class Session:
    """One IMAP connection of a script; every exchange goes into the script's transcript."""

    def __init__(self, harness: "Harness", label: str):
        self.harness, self.label = harness, label
        self.connection = Connection(harness.port)
        self.counter = 0
        self.dead = False
        greeting = self.connection.line()
        self._record(["<greeting>"], [greeting or CLOSED])

    def _record(self, request: list, lines: list[bytes]) -> list[bytes]:
        self.harness.transcript.append(Exchange(self.label, request, lines))
        return lines

    def _tag(self) -> bytes:
        self.counter += 1
        return b"%s%d" % (self.label.lower().encode(), self.counter)

    def _until(self, tag: bytes, lines: list[bytes], timeout: float = 30) -> list[bytes]:
        """Reads up to the line tagged `tag`. After a BYE the tagged reply may still follow (LOGOUT); if it does not,
        the server closed the session and the script's later commands on it record that."""
        while True:
            line = self.connection.line(timeout)
            if line is None:
                lines.append(CLOSED if self.connection.closed else TIMEOUT)
                self.dead = True
                return lines
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines
            if line.startswith(b"* BYE"):
                following = self.connection.line(2)
                if following:
                    lines.append(following)
                if not following or not following.startswith(tag + b" "):
                    self.dead = True
                return lines

    def cmd(self, *parts, timeout: float = 30) -> list[bytes]:
        """Sends one command (text parts, `Lit`s and `Var`s) and returns every line up to its tagged reply."""
        if self.dead:
            return self._record(list(parts), [b"<session ended earlier>"])
        tag = self._tag()
        lines: list[bytes] = []
        pending = tag + b" "
        for part in parts:
            if isinstance(part, Lit):
                pending += b"%s{%d%s}\r\n" % (b"~" if part.binary else b"", len(part.data), b"" if part.sync else b"+")
                if part.sync:
                    self.connection.send(pending)
                    pending = b""
                    line = self.connection.line(timeout)
                    if line is None:
                        lines.append(CLOSED if self.connection.closed else TIMEOUT)
                        self.dead = True
                        return self._record(list(parts), lines)
                    lines.append(line)
                    if not line.startswith(b"+"):
                        # Refused before the literal: the rest of the command is not sent.
                        if not line.startswith(tag + b" "):
                            lines = self._until(tag, lines, timeout)
                        return self._record(list(parts), lines)
                pending += part.data
            elif isinstance(part, Var):
                pending += b"%d" % (part.value if part.value is not None else 0)
            else:
                pending += part.encode() if isinstance(part, str) else part
        self.connection.send(pending + b"\r\n")
        return self._record(list(parts), self._until(tag, lines, timeout))

    def idle(self) -> list[bytes]:
        """IDLE: records the continuation (or the refusal); `done()` ends it."""
        self.idle_tag = self._tag()
        self.connection.send(self.idle_tag + b" IDLE\r\n")
        line = self.connection.line()
        return self._record(["IDLE"], [line or CLOSED])

    def collect(self, first: float = 8, quiet: float = 1.5) -> list[bytes]:
        """Unsolicited lines (in IDLE or after NOTIFY): waits up to `first` seconds for the first one, then until
        nothing has come for `quiet` seconds."""
        lines = []
        line = self.connection.line(first)
        while line is not None:
            lines.append(line)
            line = self.connection.line(quiet)
        return self._record(["<unsolicited>"], lines)

    def done(self) -> list[bytes]:
        self.connection.send(b"DONE\r\n")
        return self._record(["DONE"], self._until(self.idle_tag, []))

    def login(self, record: bool = False) -> list[bytes]:
        if record:
            return self.cmd(f"LOGIN {self.harness.user} {PASSWORD}")
        tag = self._tag()
        self.connection.send(tag + f" LOGIN {self.harness.user} {PASSWORD}\r\n".encode())
        return self._until(tag, [])

    def quietly(self, *parts) -> list[bytes]:
        """A command whose answer is not compared (setup); still the whole answer is read."""
        before = len(self.harness.transcript)
        lines = self.cmd(*parts)
        del self.harness.transcript[before:]
        return lines

    def logout(self) -> None:
        if not self.dead:
            tag = self._tag()
            self.connection.send(tag + b" LOGOUT\r\n")
            self._until(tag, [], timeout=5)
        self.connection.close()


class Harness:
    """What a script gets: sessions of one user on one server, and the transcript they fill."""

    def __init__(self, port: int, user: str):
        self.port, self.user = port, user
        self.transcript: list[Exchange] = []
        self.sessions: list[Session] = []

    def session(self, label: str = "A", login: bool = True) -> Session:
        session = Session(self, label)
        if login:
            session.login()
        self.sessions.append(session)
        return session

    def close(self) -> None:
        for session in self.sessions:
            session.logout()


# ---------------------------------------------------------------------------------------------------------------
# Reading values out of responses (for commands that use a server's own numbers)

def modseq_of(lines: list[bytes], key: bytes = rb"HIGHESTMODSEQ") -> int | None:
    """The first `HIGHESTMODSEQ n` (default) or other `KEY n` / `KEY (n)` in the lines."""
    for line in lines:
        match = re.search(key + rb" \(?(\d+)", line)
        if match:
            return int(match.group(1))
    return None


def uidvalidity_of(lines: list[bytes]) -> int | None:
    return modseq_of(lines, rb"UIDVALIDITY")


def advertised(transcript: list[Exchange]) -> set[str]:
    """The words of the last CAPABILITY list (untagged or response code) in a transcript."""
    words: set[str] = set()
    for exchange in transcript:
        for line in exchange.lines:
            match = re.search(rb"(?:^\* |\[)CAPABILITY ([^\]\r\n]*)", line)
            if match:
                words = {word.upper() for word in match.group(1).decode().split()}
    return words


# ---------------------------------------------------------------------------------------------------------------
# Parsing response lines into tokens

class Atom(str):
    pass


class Str(bytes):
    """A quoted string or a literal: the same value (RFC 3501 §4.3)."""


class Parser:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def tokens(self, until: bytes = b"") -> list:
        items: list = []
        data = self.data
        while self.at < len(data):
            char = data[self.at:self.at + 1]
            if char in (b" ", b"\r", b"\n"):
                self.at += 1
            elif until and char == until:
                self.at += 1
                return items
            elif char == b"(":
                self.at += 1
                items.append(self.tokens(b")"))
            elif char == b")":
                self.at += 1  # unbalanced: keep going, the text shows it
                items.append(Atom(")"))
            elif char == b'"':
                items.append(self.quoted())
            elif char == b"{" or data[self.at:self.at + 2] == b"~{":
                literal = re.match(rb"~?\{(\d+)\+?\}\r\n", data[self.at:])
                if not literal:
                    items.append(self.atom())
                    continue
                start = self.at + literal.end()
                size = int(literal.group(1))
                items.append(Str(data[start:start + size]))
                self.at = start + size
            else:
                items.append(self.atom())
        return items

    def quoted(self) -> Str:
        self.at += 1
        value = bytearray()
        while self.at < len(self.data):
            char = self.data[self.at]
            self.at += 1
            if char == 0x5C and self.at < len(self.data):
                value.append(self.data[self.at])
                self.at += 1
            elif char == 0x22:
                break
            else:
                value.append(char)
        return Str(bytes(value))

    def atom(self) -> Atom:
        start, depth = self.at, 0
        while self.at < len(self.data):
            char = self.data[self.at:self.at + 1]
            if char == b"[":
                depth += 1
            elif char == b"]":
                depth = max(0, depth - 1)
            elif depth == 0 and char in (b" ", b"(", b")", b'"', b"\r", b"\n"):
                break
            self.at += 1
        return Atom(self.data[start:self.at].decode("latin-1"))


def parse(data: bytes) -> list:
    return Parser(data).tokens()


def show(token) -> str:
    if isinstance(token, Str):
        text = token.decode("utf-8", "backslashreplace")
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n") + '"'
    if isinstance(token, list):
        return "(" + " ".join(show(item) for item in token) + ")"
    return str(token)


# ---------------------------------------------------------------------------------------------------------------
# Normalising

def parse_set(text: str) -> list[int]:
    numbers: list[int] = []
    for piece in text.split(","):
        if ":" in piece:
            low, high = piece.split(":", 1)
            if not (low.isdigit() and high.isdigit()):
                return []
            low_value, high_value = int(low), int(high)
            step = 1 if high_value >= low_value else -1
            numbers.extend(range(low_value, high_value + step, step))
        elif piece.isdigit():
            numbers.append(int(piece))
        else:
            return []
    return numbers


def show_set(numbers: list[int]) -> str:
    """Ranges of consecutive ascending runs, order kept (COPYUID pairs source and destination by position)."""
    if not numbers:
        return ""
    runs, start, previous = [], numbers[0], numbers[0]
    for number in numbers[1:]:
        if number == previous + 1:
            previous = number
            continue
        runs.append(f"{start}:{previous}" if previous != start else str(start))
        start = previous = number
    runs.append(f"{start}:{previous}" if previous != start else str(start))
    return ",".join(runs)


def canonical_set(text: str, ordered: bool = False) -> str:
    numbers = parse_set(text)
    if not numbers:
        return text
    return show_set(numbers if ordered else sorted(set(numbers)))


DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-]\d{4})$")


class Normaliser:
    """Per-transcript state: the symbol tables of UIDVALIDITY and mod-sequence values."""

    def __init__(self, ignored_capabilities: set[str] = frozenset(), now: float | None = None):
        self.symbols: dict[str, dict[int, str]] = {"uidvalidity": {}, "modseq": {}}
        self.ignored_capabilities = {word.upper() for word in ignored_capabilities}
        self.now = now or time.time()

    def symbol(self, kind: str, value) -> str:
        table = self.symbols[kind]
        number = int(value)
        if number not in table:
            table[number] = ("V" if kind == "uidvalidity" else "M") + str(len(table) + 1)
        return table[number]

    def date(self, token) -> str:
        text = token.decode("latin-1") if isinstance(token, bytes) else str(token)
        match = DATE.match(text.strip())
        if match:
            months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
            day, month, year, hour, minute, second, zone = match.groups()
            try:
                moment = datetime.datetime(int(year), months.index(month.capitalize()) + 1, int(day), int(hour),
                                           int(minute), int(second), tzinfo=datetime.timezone(datetime.timedelta(
                                               hours=int(zone[1:3]), minutes=int(zone[3:])) * (1 if zone[0] == "+" else -1)))
                if abs(moment.timestamp() - self.now) < 3600:
                    return '"<now>"'
            except ValueError:
                pass
        return show(token)

    def capabilities(self, words) -> str:
        kept = sorted({str(word).upper() for word in words} - self.ignored_capabilities)
        return " ".join(kept)

    # -- requests

    def request(self, parts: list) -> str:
        shown = []
        for part in parts:
            if isinstance(part, Lit):
                preview = part.data[:40].decode("utf-8", "backslashreplace").replace("\r\n", "\\r\\n")
                shown.append("%s{%d%s}[%s%s]" % ("~" if part.binary else "", len(part.data), "" if part.sync else "+",
                                                 preview, "…" if len(part.data) > 40 else ""))
            elif isinstance(part, Var):
                shown.append(self.symbol(part.kind, part.value) if part.value is not None else f"<no {part.kind}>")
            else:
                shown.append(part.decode("utf-8", "backslashreplace") if isinstance(part, bytes) else part)
        return "".join(shown)

    # -- response codes

    def code(self, text: bytes) -> str:
        tokens = parse(text)
        if not tokens:
            return "[]"
        name = str(tokens[0]).upper()
        rest = tokens[1:]
        if name == "UIDVALIDITY" and rest:
            rest = [self.symbol("uidvalidity", rest[0])]
        elif name in ("HIGHESTMODSEQ",) and rest:
            rest = [self.symbol("modseq", rest[0])]
        elif name in ("PERMANENTFLAGS",) and rest and isinstance(rest[0], list):
            rest = [sorted(rest[0], key=str)]
        elif name == "CAPABILITY":
            return "[CAPABILITY " + self.capabilities(rest) + "]"
        elif name == "APPENDUID" and len(rest) == 2:
            rest = [self.symbol("uidvalidity", rest[0]), canonical_set(str(rest[1]), ordered=True)]
        elif name == "COPYUID" and len(rest) == 3:
            rest = [self.symbol("uidvalidity", rest[0]), canonical_set(str(rest[1]), ordered=True),
                    canonical_set(str(rest[2]), ordered=True)]
        elif name == "MODIFIED" and rest:
            rest = [canonical_set(str(rest[0]))]
        return "[" + " ".join([name] + [show(item) if not isinstance(item, str) or isinstance(item, Atom) else item
                                        for item in rest]) + "]"

    def status(self, prefix: str, rest: bytes) -> str:
        """`OK/NO/BAD/BYE/PREAUTH [code] text`: the code kept (normalised), the text dropped."""
        match = re.match(rb"(\S+)(?: (.*))?$", rest.rstrip(b"\r\n"), re.S)
        word = match.group(1).decode("latin-1").upper()
        text = match.group(2) or b""
        if text.startswith(b"["):
            depth, end = 0, 0
            for position, char in enumerate(text):
                if char == 0x5B:
                    depth += 1
                elif char == 0x5D:
                    depth -= 1
                    if depth == 0:
                        end = position
                        break
            if end:
                return f"{prefix} {word} {self.code(text[1:end])}"
        return f"{prefix} {word}"

    # -- untagged data

    def fetch(self, number: str, items: list) -> list[str]:
        pairs = []
        for position in range(0, len(items) - 1, 2):
            key, value = str(items[position]).upper(), items[position + 1]
            if key == "FLAGS" and isinstance(value, list):
                shown = show(sorted(value, key=lambda flag: str(flag)))
            elif key == "MODSEQ" and isinstance(value, list) and value:
                shown = "(" + self.symbol("modseq", value[0]) + ")"
            elif key in ("INTERNALDATE", "SAVEDATE"):
                shown = self.date(value)
            elif key in ("EMAILID", "THREADID", "X-GUID", "X-MAILBOX"):
                shown = "<server-specific>"
            else:
                shown = show(value)
            pairs.append(f"* {number} FETCH {items[position]} {shown}")
        if len(items) % 2:
            pairs.append(f"* {number} FETCH <odd item> {show(items[-1])}")
        return sorted(pairs) or [f"* {number} FETCH ()"]

    def untagged(self, rest: bytes) -> list[str]:
        tokens = parse(rest)
        if not tokens:
            return ["*"]
        first = str(tokens[0]).upper()
        if first in ("OK", "NO", "BAD", "BYE", "PREAUTH"):
            return [self.status("*", rest)]
        if first.isdigit() and len(tokens) > 1:
            kind = str(tokens[1]).upper()
            if kind == "FETCH" and len(tokens) > 2 and isinstance(tokens[2], list):
                return self.fetch(first, tokens[2])
            return ["* " + " ".join(show(token) for token in tokens)]
        if first == "CAPABILITY":
            return ["* CAPABILITY " + self.capabilities(tokens[1:])]
        if first in ("FLAGS",) and len(tokens) > 1 and isinstance(tokens[1], list):
            return ["* FLAGS " + show(sorted(tokens[1], key=str))]
        if first == "ENABLED":
            return [" ".join(["* ENABLED"] + sorted(str(token).upper() for token in tokens[1:]))]
        if first == "ID":
            return ["* ID <server-specific>"]
        if first in ("LIST", "LSUB") and len(tokens) >= 4:
            attributes = show(sorted(tokens[1], key=lambda a: str(a).lower())) if isinstance(tokens[1], list) else show(tokens[1])
            name = tokens[3] if isinstance(tokens[3], Str) else Str(str(tokens[3]).encode("latin-1"))
            # Extended data items: the tag is an astring, atom or quoted alike (RFC 5258 §9).
            extended = [[Str(str(t[0]).encode()) if isinstance(t, list) and t and isinstance(t[0], Atom) else t[0]] + t[1:]
                        if isinstance(t, list) and t else t for t in tokens[4:]]
            return [" ".join([f"* {first}", attributes, show(tokens[2]), show(name)] + [show(t) for t in extended])]
        if first == "STATUS" and len(tokens) >= 3 and isinstance(tokens[2], list):
            name = tokens[1] if isinstance(tokens[1], Str) else Str(str(tokens[1]).encode("latin-1"))
            pairs = []
            values = tokens[2]
            for position in range(0, len(values) - 1, 2):
                key, value = str(values[position]).upper(), values[position + 1]
                if key == "UIDVALIDITY":
                    value = self.symbol("uidvalidity", value)
                elif key == "HIGHESTMODSEQ":
                    value = self.symbol("modseq", value)
                pairs.append(f"{key} {value if isinstance(value, str) else show(value)}")
            return [f"* STATUS {show(name)} (" + " ".join(sorted(pairs)) + ")"]
        if first == "SEARCH":
            numbers = sorted(int(str(t)) for t in tokens[1:] if str(t).isdigit())
            tail = [t for t in tokens[1:] if not str(t).isdigit()]
            text = "* SEARCH" + "".join(f" {n}" for n in numbers)
            for item in tail:
                if isinstance(item, list) and len(item) == 2 and str(item[0]).upper() == "MODSEQ":
                    text += f" (MODSEQ {self.symbol('modseq', item[1])})"
                else:
                    text += " " + show(item)
            return [text]
        if first == "SORT":
            numbers = [str(t) for t in tokens[1:] if str(t).isdigit()]
            tail = [t for t in tokens[1:] if not str(t).isdigit()]
            text = "* SORT" + "".join(f" {n}" for n in numbers)
            for item in tail:
                if isinstance(item, list) and len(item) == 2 and str(item[0]).upper() == "MODSEQ":
                    text += f" (MODSEQ {self.symbol('modseq', item[1])})"
                else:
                    text += " " + show(item)
            return [text]
        if first == "ESEARCH":
            head, index = ["* ESEARCH"], 1
            if index < len(tokens) and isinstance(tokens[index], list):
                head.append(show(tokens[index]))
                index += 1
            if index < len(tokens) and str(tokens[index]).upper() == "UID":
                head.append("UID")
                index += 1
            pairs = []
            while index + 1 < len(tokens):
                key, value = str(tokens[index]).upper(), tokens[index + 1]
                if key == "ALL":
                    value = canonical_set(str(value))
                elif key == "MODSEQ":
                    value = self.symbol("modseq", value)
                elif key == "PARTIAL" and isinstance(value, list) and len(value) == 2:
                    value = f"({value[0]} {canonical_set(str(value[1]))})"
                pairs.append(f"{key} {value if isinstance(value, str) else show(value)}")
                index += 2
            if index < len(tokens):
                pairs.append(show(tokens[index]))
            return [" ".join(head + sorted(pairs))]
        if first == "VANISHED":
            rest_tokens = tokens[1:]
            prefix = "* VANISHED"
            if rest_tokens and isinstance(rest_tokens[0], list):
                prefix += " " + show(rest_tokens[0])
                rest_tokens = rest_tokens[1:]
            return [prefix + "".join(" " + canonical_set(str(t)) for t in rest_tokens)]
        return ["* " + " ".join(show(token) for token in tokens)]

    def line(self, line: bytes) -> list[str]:
        if line in (CLOSED, TIMEOUT) or line.startswith(b"<session"):
            return [line.decode()]
        if line.startswith(b"+"):
            return ["+"]
        if line.startswith(b"* "):
            return self.untagged(line[2:])
        match = re.match(rb"(\S+) (.*)$", line.rstrip(b"\r\n"), re.S)
        if match:
            return [self.status("<tag>", match.group(2))]
        return [show(parse(line))]


UNORDERED_COMMANDS = ("SELECT", "EXAMINE", "LIST", "LSUB", "NOTIFY", "<greeting>")


@dataclass
class Step:
    session: str
    request: str
    lines: list[str]


# Differences both servers may legitimately show, removed from both transcripts before comparing (each mirrored in
# docs/imap.md). Everything else that differs must be fixed or be an `Allowed` entry of the test.
RULES = {
    "marked": "LIST attributes \\Marked / \\Unmarked are the server's own judgement of 'interesting' (RFC 3501 "
              "§7.2.2: 'probably contains messages added since' — a hint): Dovecot marks mailboxes with \\Recent messages, we never do.",
    "children": "An extended LIST (selection options, several patterns or RETURN) without RETURN (CHILDREN) need not "
                "say \\HasChildren / \\HasNoChildren; RFC 5258 §4: 'a server MAY provide it even if the option is not "
                "specified'. Dovecot omits them there, we always send them.",
    "highestmodseq": "OK [HIGHESTMODSEQ] on SELECT/EXAMINE before the session enabled CONDSTORE: RFC 7162 §3.1 "
                     "requires it of a server with persistent mod-sequences (us); Dovecot sends it only after a "
                     "CONDSTORE-enabling command.",
}
CONDSTORE_WORDS = ("CONDSTORE", "QRESYNC", "MODSEQ", "CHANGEDSINCE", "UNCHANGEDSINCE")


def extended_list_without_children(request: str) -> bool:
    upper = request.upper()
    if not upper.startswith("LIST "):
        return False
    extended = upper.startswith("LIST (") or " RETURN " in upper or re.search(r'^LIST \S+ \(', upper)
    return bool(extended) and "CHILDREN" not in upper.partition(" RETURN ")[2]


def apply_rules(request: str, lines: list[bytes], condstore: bool) -> list[bytes]:
    verb = request.split(" ")[0].upper()
    if verb in ("SELECT", "EXAMINE") and not condstore:
        lines = [line for line in lines if not re.match(rb"\* OK \[HIGHESTMODSEQ \d+\]", line)]
    if verb == "LIST":
        drop = rb"\\Marked|\\Unmarked"
        if extended_list_without_children(request):
            drop += rb"|\\HasChildren|\\HasNoChildren"
        pattern = re.compile(rb"(?i) ?(?:" + drop + rb")(?=[ )])")
        lines = [re.sub(rb"\( ", b"(", pattern.sub(b"", line)) if line.startswith(b"* LIST (") else line
                 for line in lines]
    return lines


def normalise(transcript: list[Exchange], ignored_capabilities: set[str] = frozenset(),
              now: float | None = None) -> list[Step]:
    normaliser = Normaliser(ignored_capabilities, now)
    steps = []
    condstore: set[str] = set()
    for exchange in transcript:
        request = normaliser.request(exchange.request)
        if any(word in request.upper() for word in CONDSTORE_WORDS):
            condstore.add(exchange.session)
        lines: list[str] = []
        for line in apply_rules(request, exchange.lines, exchange.session in condstore):
            lines.extend(normaliser.line(line))
        verb = request.split(" ")[0].upper()
        if verb in ("UID",):
            verb = request.split(" ")[1].upper() if " " in request else verb
        if verb in UNORDERED_COMMANDS and lines:
            untagged = sorted(line for line in lines if line.startswith("*"))
            lines = untagged + [line for line in lines if not line.startswith("*")]
        steps.append(Step(exchange.session, request, lines))
    return steps


@dataclass
class Difference:
    script: str
    index: int
    session: str
    request: str
    dovecot: list[str]  # lines only Dovecot sent (in its order)
    ours: list[str]  # lines only ObjectMail sent

    def describe(self) -> str:
        out = [f"[{self.script} #{self.index} {self.session}] {self.request}"]
        out += ["  dovecot: " + brief(line) for line in self.dovecot]
        out += ["  ours:    " + brief(line) for line in self.ours]
        return "\n".join(out)


def brief(line: str, limit: int = 200) -> str:
    """A line as reports and allow-lists show it: long ones cut, with their length and a hash of the whole line, so
    an allow-list entry still matches exactly one content."""
    if len(line) <= limit:
        return line
    digest = hashlib.sha1(line.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{line[:limit - 40]}… [{len(line)} chars, sha1 {digest}]"


def compare(script: str, dovecot: list[Step], ours: list[Step]) -> list[Difference]:
    differences = []
    for index in range(max(len(dovecot), len(ours))):
        left = dovecot[index] if index < len(dovecot) else Step("?", "<missing step>", [])
        right = ours[index] if index < len(ours) else Step("?", "<missing step>", [])
        if left.lines == right.lines and left.request == right.request:
            continue
        only_left, only_right = [], []
        for operation, a1, a2, b1, b2 in difflib.SequenceMatcher(a=left.lines, b=right.lines, autojunk=False).get_opcodes():
            if operation != "equal":
                only_left += left.lines[a1:a2]
                only_right += right.lines[b1:b2]
        request = left.request if left.request == right.request else f"{left.request} ≠ {right.request}"
        differences.append(Difference(script, index, left.session, request, only_left, only_right))
    return differences


# ---------------------------------------------------------------------------------------------------------------
# The corpus: hand-made awkward messages, then a slice of the benchmark's generated corpus

def mail(text: str) -> bytes:
    """`text` with LF line ends as a message with CRLF line ends (UTF-8 where the header is raw 8-bit)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


PLAIN = mail("""\
From: Alice Example <alice@example.org>
To: Bob <bob@example.net>
Cc: carol@example.com
Subject: Plain report
Date: Mon, 05 Oct 2020 10:00:00 +0000
Message-ID: <plain-1@example.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hello Bob,
this is the quarterly report text.
""")

MIXED = mail("""\
From: =?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <juergen@example.de>
To: undisclosed-recipients:;
Cc: Zoe <ZOE@Example.com>, alice@example.org
Subject: =?iso-8859-1?q?Re=3A_R=E9sum=E9?= =?utf-8?b?IGF0dGFjaGVk?=
Date: Tue, 06 Oct 2020 11:30:00 +0200
Message-ID: <mixed-2@example.de>
In-Reply-To: <plain-1@example.org>
References: <plain-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer-b"

This is a multi-part message in MIME format.
--outer-b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Gr=C3=BC=C3=9Fe,\x20\x20
see the attached report.=20
soft line=
 break here
--\x20
J=C3=BCrgen
--outer-b
Content-Type: application/pdf; name="report.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename*=utf-8''%C3%9Cbersicht%20report.pdf; size=120

JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K
--outer-b--
""")

NESTED = mail("""\
From: "Zed, Carol" <carol@example.com>
To: Alice Example <alice@example.org>, Group One: a@example.org, "B B" <b@example.org>;
Subject: Fwd: Plain report
Date: Wed, 07 Oct 2020 09:15:00 -0500
Message-ID: <nested-3@example.com>
References: <plain-1@example.org> <mixed-2@example.de>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="n1"

--n1
Content-Type: multipart/alternative; boundary="n2"

--n2
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Forwarded below. Übersicht attached.
--n2
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable
Content-Language: de, en
Content-Location: http://example.com/x.html

<p>Forwarded below. =C3=9Cbersicht attached.</p>
--n2--
--n1
Content-Type: message/rfc822
Content-Description: the original
Content-Disposition: inline

From: Alice Example <alice@example.org>
To: Bob <bob@example.net>
Subject: =?utf-8?q?Plain_report_=E2=98=95?=
Date: Mon, 05 Oct 2020 10:00:00 +0000
Message-ID: <plain-1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/plain

Inner text part.
--inner
Content-Type: image/png; name="dot.png"
Content-Transfer-Encoding: base64
Content-ID: <dot@example.com>
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
--inner--

--n1
Content-Type: text/plain; name*0="long-file-"; name*1="name.txt"; title*=us-ascii'en'This%20is%20it
Content-Disposition: attachment; filename="a \\"quoted\\" name.txt"

report in an attachment
--n1--
""")

AWKWARD = mail("""\
From: Real Name <real@example.org> (Comment)
Sender: "Real Name" <real @ example.org>
Reply-To: "Quoted \\"Pair\\" Name" <qp@example.org>, Group One: a@example.org, "B B" <b@example.org>;, c@example.org
To: (just a comment) plain@example.org, John Q. Public <john@example.org>
Cc: Empty Group:;, =?utf-8?b?5bGx55SwIOWkqumDjg==?= <yamada@example.jp>, <@route.example:routed@example.org>
Bcc: user-from@domain.org
Subject: Awkward addresses
Date: 7 Oct 2020 08:00 -0000
Message-ID: <awkward-4@example.org>

Body with no MIME headers at all.
""")

AWKWARD2 = mail("""\
From: "Real Name" <user-from@domain.org>
Sender: Real Name (the sender) <sender@example.org>
Reply-To: real.name@example.org (Real Name)
To: Friends: ; , Dave <dave@example.net>
Subject: [list] Re: plain REPORT (fwd)
Date: Thu, 8 Oct 2020 23:59:59 +1400
Message-ID: <awkward-5@example.org>
In-Reply-To: <nested-3@example.com>
References: <plain-1@example.org> <nested-3@example.com>
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Caf=E9 report,=20
-- \x20
sig
""")

RAW8BIT = mail("""\
From: Ana Peña <ana@example.es>
To: user-from@domain.org
Subject: Raw 8-bit Straße subject
Message-ID: <raw-6@example.es>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
X-Long-Header: this header is folded
  over two lines with\tTABS and   spaces

Ünïcödé body with the word report.
""")

HEADER_ONLY = b"From: nobody@example.org\r\nSubject: header only\r\nDate: Fri, 09 Oct 2020 00:00:00 +0000\r\n"

BROKEN = mail("""\
From: broken@example.org
To: bob@example.net
Subject: re: Re:   Plain report
Date: Sat, 10 Oct 2020 12:00:00 GMT
Message-ID: <broken-8@example.org>
In-Reply-To: <nested-3@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=unquoted-b

--unquoted-b
Content-Type: text/plain; charset=x-unknown
Content-Transfer-Encoding: base64

bWlzc2luZyBlbmQgYm91bmRhcnkgcmVwb3J0
--unquoted-b
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAwQFBgcICQoLDA0ODxAREhM=
""")

LATIN1 = mail("""\
From: =?iso-8859-1?q?Fr=E9d=E9ric?= <fred@example.fr>
To: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>
Cc: bob@example.net
Subject: =?utf-8?q?Caf=C3=A9_=C3=A0_midi?=
Date: Sun, 11 Oct 2020 12:00:00 +0000
Message-ID: <latin-9@example.fr>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Le caf=E9 est pr=EAt.
""")

HANDMADE = [PLAIN, MIXED, NESTED, AWKWARD, AWKWARD2, RAW8BIT, HEADER_ONLY, BROKEN, LATIN1]
# Internal dates for the hand-made messages: explicit, one a day, one in another zone.
DATES = [f'"{day:02d}-Oct-2020 12:00:00 +0000"' for day in range(12, 12 + len(HANDMADE))]
DATES[2] = '"14-Oct-2020 12:00:00 +0200"'


def generated(count: int = 24) -> list[bytes]:
    """The benchmark's corpus (multipart/alternative, base64 attachments, RFC 2047/2231 names, replies),
    small ones only so the transcripts stay readable."""
    return [message for message in bench_corpus.generate(200, seed=26) if len(message) < 12_000][:count]


# ---------------------------------------------------------------------------------------------------------------
# The scripts

SCRIPTS: dict[str, Callable[[Harness], None]] = {}


def script(function):
    SCRIPTS[function.__name__] = function
    return function


def fill(session: Session, mailbox: str = "INBOX", messages=None, flags=None) -> None:
    """APPENDs the hand-made corpus with explicit dates (setup, not compared)."""
    for position, message in enumerate(messages if messages is not None else HANDMADE):
        flag_list = f"({flags[position]}) " if flags else ""
        session.quietly(f"APPEND {mailbox} {flag_list}{DATES[position % len(DATES)]} ", Lit(message))


def track_modseqs(session: Session) -> None:
    """Dovecot assigns per-message mod-sequences only once a session used CONDSTORE on the mailbox (before that every
    message has MODSEQ 1); we always do. Scripts that compare MODSEQ values turn it on before adding mail (setup, not
    compared), so both servers count every change."""
    session.quietly("SELECT INBOX (CONDSTORE)")
    session.quietly("UNSELECT")


@script
def capability(h: Harness):
    a = h.session("A", login=False)
    a.cmd("CAPABILITY")
    a.cmd("NOOP")
    a.login(record=True)
    a.cmd("CAPABILITY")
    a.cmd("NOOP")
    a.cmd("LOGOUT")
    a.dead = True


@script
def login(h: Harness):
    a = h.session("A", login=False)
    a.cmd(f"LOGIN {h.user} wrong")
    a.cmd("LOGIN onlyone")
    a.cmd("SELECT INBOX")
    a.cmd(f'LOGIN "{h.user}" "{PASSWORD}"')
    a.cmd(f"LOGIN {h.user} {PASSWORD}")
    b = h.session("B", login=False)
    b.cmd("AUTHENTICATE PLAIN " + base64.b64encode(f"\0{h.user}\0{PASSWORD}".encode()).decode())
    c = h.session("C", login=False)
    c.cmd("LOGIN ", Lit(h.user.encode(), sync=True), " ", Lit(PASSWORD.encode()))
    d = h.session("D", login=False)
    d.cmd("AUTHENTICATE PLAIN " + base64.b64encode(f"\0{h.user}\0nope".encode()).decode())
    d.cmd("AUTHENTICATE X-UNKNOWN")


@script
def namespace_id(h: Harness):
    a = h.session()
    a.cmd("NAMESPACE")
    a.cmd('ID ("name" "differential")')
    a.cmd("ID NIL")
    a.cmd("ENABLE CONDSTORE X-NOTHING")
    a.cmd("ENABLE CONDSTORE")
    a.cmd("CHECK")


@script
def create_delete_rename(h: Harness):
    a = h.session()
    for request in ["CREATE box", "CREATE box", "CREATE INBOX", "CREATE inbox", "CREATE box/sub/deep", "CREATE trail/",
                    'CREATE "a//b"', 'CREATE "/lead"', 'CREATE "&AOk-t&AOk-"', 'CREATE "&"', 'CREATE "&Jjo"',
                    'CREATE "wild*card"', 'CREATE "per%cent"', 'CREATE "dot.name"', 'CREATE ""',
                    'LIST "" *', "DELETE box", "DELETE INBOX", "DELETE nothing", 'LIST "" *',
                    "RENAME box boxed", 'LIST "" box*', "RENAME boxed/sub other", "RENAME nothing x",
                    "RENAME trail box/sub", "RENAME other other", 'LIST "" *',
                    "DELETE boxed/sub/deep", "DELETE boxed/sub", "DELETE boxed", 'LIST "" *']:
        a.cmd(request)
    fill(a, messages=[PLAIN, MIXED])
    a.cmd("RENAME INBOX oldinbox")
    a.cmd('LIST "" *')
    a.cmd("STATUS INBOX (MESSAGES UIDNEXT)")
    a.cmd("STATUS oldinbox (MESSAGES UIDNEXT)")
    a.cmd("SELECT box/sub")
    a.cmd("DELETE box/sub")
    a.cmd("NOOP")


@script
def list_basic(h: Harness):
    a = h.session()
    for name in ["a", "a/b", "a/b/c", "a/d", "x", "x y", "&AOk-t&AOk-"]:
        a.quietly(f'CREATE "{name}"')
    for request in ['LIST "" ""', 'LIST "" *', 'LIST "" %', 'LIST "" a/%', 'LIST "a/" %', 'LIST "" a/*',
                    'LIST "" INBOX', 'LIST "" inbox', 'LIST "" InBoX', 'LIST "" "*b*"', 'LIST "" "%/%"',
                    'LIST "" "x y"', 'LIST "" "&AOk-t&AOk-"', 'LIST "" nothing', 'LIST "a" "b"', 'LIST "" "a/%/%"',
                    'LIST "" "!#$&\'+,-.0123456789:;<=>?@^_`|[}"', "LIST", 'LIST "" ("a" "x")']:
        a.cmd(request)
    a.cmd('SELECT "!#$&\'+,-.0123456789:;<=>?@^_`|[}"')
    a.cmd('EXAMINE "&-AOk"')
    a.cmd("NOOP")


@script
def list_extended(h: Harness):
    a = h.session()
    for name in ["a", "a/b", "a/b/c", "x", "Sent"]:
        a.quietly(f'CREATE "{name}"')
    for name in ["a/b", "x", "gone", "gone/child"]:
        a.quietly(f'SUBSCRIBE "{name}"')
    fill(a, "x", [PLAIN, MIXED], flags=["\\Seen", ""])
    for request in ['LIST (SUBSCRIBED) "" *', 'LIST (SUBSCRIBED) "" %', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" %',
                    'LIST (SUBSCRIBED RECURSIVEMATCH) "" *', 'LIST "" * RETURN (CHILDREN)', 'LIST "" % RETURN (SUBSCRIBED)',
                    'LIST "" * RETURN (SUBSCRIBED CHILDREN)', 'LIST "" (a x) RETURN ()', 'LIST () "" %',
                    'LIST (REMOTE) "" %', 'LIST (RECURSIVEMATCH) "" %', 'LIST (foo) "" ""', 'LIST "" "" RETURN (foo)',
                    'LIST "" % RETURN (STATUS (MESSAGES UIDNEXT UNSEEN RECENT SIZE))',
                    'LIST (SUBSCRIBED) "" * RETURN (STATUS (MESSAGES))', 'LIST "" "x" RETURN (STATUS (HIGHESTMODSEQ))',
                    'LIST "" % RETURN (STATUS ())', 'LIST "" % RETURN (STATUS (BOGUS))',
                    'LIST (SPECIAL-USE) "" *', 'LIST "" * RETURN (SPECIAL-USE)']:
        a.cmd(request)


@script
def lsub_subscribe(h: Harness):
    a = h.session()
    for name in ["box", "box/test2", "box/test2/leaf", "other"]:
        a.quietly(f"CREATE {name}")
    for request in ["SUBSCRIBE box/test2", "SUBSCRIBE other", "SUBSCRIBE missing", "SUBSCRIBE missing/child",
                    "SUBSCRIBE other", 'LSUB "" box/%', 'LSUB "" *', 'LSUB "" %', 'LSUB "" missing',
                    'LSUB "" "%/%"', "UNSUBSCRIBE other", "UNSUBSCRIBE other", "UNSUBSCRIBE nosuch", 'LSUB "" *',
                    "DELETE box/test2/leaf", "DELETE box/test2", 'LSUB "" *', 'LIST (SUBSCRIBED) "" *',
                    "SUBSCRIBE INBOX", 'LSUB "" INBOX', "RENAME box moved", 'LSUB "" *']:
        a.cmd(request)


@script
def select_examine(h: Harness):
    a = h.session()
    a.cmd("SELECT INBOX")
    fill(a, messages=HANDMADE[:4], flags=["\\Seen", "", "\\Flagged $Label1", "\\Seen custom"])
    a.cmd("SELECT INBOX")
    a.cmd("CLOSE")
    a.cmd("SELECT INBOX (CONDSTORE)")
    a.cmd("EXAMINE INBOX")
    a.cmd("STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE)")
    a.cmd("STATUS INBOX (DELETED)")
    a.cmd("SELECT nothing")
    a.cmd("FETCH 1 FLAGS")
    a.cmd("SELECT INBOX")
    a.cmd("UNSELECT")
    a.cmd("UNSELECT")
    a.cmd("EXAMINE INBOX")
    a.cmd("STORE 1 +FLAGS (\\Deleted)")
    a.cmd("EXPUNGE")
    a.cmd("CLOSE")
    b = h.session("B")
    b.cmd("SELECT INBOX")
    b.cmd('SELECT "inbox"')
    b.cmd("SELECT INBOX (BOGUS)")
    b.cmd("NOOP")


@script
def append(h: Harness):
    a = h.session()
    a.quietly("CREATE other")
    a.quietly("CREATE probe")
    a.cmd("APPEND INBOX ", Lit(PLAIN))
    a.cmd("APPEND INBOX (\\Seen) ", Lit(MIXED, sync=True))
    a.cmd('APPEND INBOX (\\Flagged $Label1 custom) "01-Jan-2021 00:00:00 +0000" ', Lit(NESTED))
    a.cmd('APPEND INBOX "2-Feb-2021 03:04:05 -0700" ', Lit(AWKWARD))
    a.cmd("APPEND INBOX () ", Lit(AWKWARD2))
    a.cmd("APPEND nothing ", Lit(PLAIN))
    a.cmd("APPEND nothing ", Lit(PLAIN, sync=True))
    a.cmd("APPEND probe (\\Recent) ", Lit(PLAIN, sync=True))
    a.cmd("APPEND probe (\\Bogus) ", Lit(PLAIN, sync=True))
    a.cmd('APPEND probe "31-Feb-2021 00:00:00 +0000" ', Lit(PLAIN, sync=True))
    a.cmd("APPEND probe ", Lit(b"", sync=True))
    a.cmd("APPEND probe ", Lit(b"x", binary=True))
    a.cmd("APPEND INBOX ", Lit(b"Subject: binary\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\nnul\0byte\r\n",
                              binary=True))
    a.cmd("APPEND other ", Lit(PLAIN), " ", Lit(MIXED), " (\\Seen) ", Lit(HEADER_ONLY))
    a.cmd("APPEND probe ", Lit(PLAIN), " (\\Bogus) ", Lit(MIXED, sync=True))
    a.cmd("SELECT INBOX")
    a.cmd("FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)")
    a.cmd("APPEND INBOX (NIL) ", Lit(PLAIN, sync=True))
    a.cmd("APPEND INBOX ($New \\Answered) ", Lit(PLAIN))
    a.cmd("APPEND other ($Other) ", Lit(PLAIN))
    a.cmd("FETCH 6:* (UID FLAGS)")
    a.cmd("FETCH 6 (BODY.PEEK[1] BODY.PEEK[TEXT] BINARY.PEEK[1] BINARY.SIZE[1] RFC822.SIZE)")
    a.cmd("STATUS other (MESSAGES UIDNEXT)")
    a.cmd("EXAMINE other")
    a.cmd("FETCH 1:* (UID FLAGS)")
    a.cmd("STATUS probe (MESSAGES)")


FETCH_ATTRIBUTES = [
    "ENVELOPE", "BODYSTRUCTURE", "BODY", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "UID", "RFC822.HEADER",
    "BODY.PEEK[]", "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "BODY.PEEK[1]", "BODY.PEEK[1.MIME]", "BODY.PEEK[2]",
    "BODY.PEEK[2.MIME]", "BODY.PEEK[1.1]", "BODY.PEEK[2.1]", "BODY.PEEK[2.HEADER]", "BODY.PEEK[2.TEXT]",
    "BODY.PEEK[2.1.2]", "BODY.PEEK[3]", "BODY.PEEK[HEADER.FIELDS (From Subject X-Missing)]",
    "BODY.PEEK[HEADER.FIELDS.NOT (From Subject Received)]", "BODY.PEEK[2.HEADER.FIELDS (SUBJECT)]",
    "BODY.PEEK[]<0.10>", "BODY.PEEK[1]<5.20>", "BODY.PEEK[TEXT]<100000.5>", "BODY.PEEK[]<0.0>",
    "BINARY.PEEK[1]", "BINARY.PEEK[2]", "BINARY.SIZE[1]", "BINARY.SIZE[2]", "BINARY.PEEK[]", "BINARY.PEEK[1]<2.8>",
    "BINARY.SIZE[2.1]", "BINARY.PEEK[2.1.2]", "BINARY.PEEK[1.1]",
]


@script
def fetch(h: Harness):
    a = h.session()
    fill(a)
    a.cmd("SELECT INBOX")
    for attribute in FETCH_ATTRIBUTES:
        a.cmd(f"FETCH 1:* ({attribute})")
    for request in ["FETCH 1 ALL", "FETCH 2 FAST", "FETCH 3 FULL", "FETCH 2:3 (UID RFC822.SIZE FLAGS)",
                    "UID FETCH 2:4 (FLAGS)", "UID FETCH 100 (FLAGS)", "UID FETCH 3:* (UID)", "UID FETCH *:3 (UID)",
                    "FETCH 1 (BODY[TEXT])", "FETCH 1 (FLAGS)", "FETCH 2 (RFC822.TEXT)", "FETCH 3 (RFC822)",
                    "FETCH 4 (BODY[1])", "FETCH 1:* (FLAGS)", "FETCH 99 (FLAGS)", "FETCH 0 (FLAGS)",
                    "FETCH 1 (BOGUS)", "FETCH 1 (BODY[4.X])", "FETCH 1 BODY[", "FETCH 1 (BINARY[1]<0.3>)",
                    "FETCH * (UID)", "FETCH 1,3,5 (UID)", "FETCH 5:3 (UID)", "FETCH 1 (FLAGS) (CHANGEDSINCE 1)",
                    "FETCH 2 (BINARY.PEEK[2]<0.3>)"]:
        a.cmd(request)


@script
def fetch_generated(h: Harness):
    """The benchmark corpus: ENVELOPE, BODYSTRUCTURE, BINARY.SIZE of every message against Dovecot (issue 26 §12)."""
    a = h.session()
    messages = generated()
    for position, message in enumerate(messages):
        a.quietly(f'APPEND INBOX "{1 + position % 28:02d}-Nov-2020 08:00:00 +0000" ', Lit(message))
    a.cmd("SELECT INBOX")
    for attribute in ["ENVELOPE", "BODYSTRUCTURE", "BINARY.SIZE[1]", "BINARY.PEEK[1]", "BODY.PEEK[1.MIME]",
                      "RFC822.SIZE", "BINARY.SIZE[2]"]:
        a.cmd(f"FETCH 1:* ({attribute})")


@script
def store(h: Harness):
    a = h.session()
    fill(a, messages=HANDMADE[:5])
    a.cmd("SELECT INBOX")
    for request in ["STORE 1 +FLAGS (\\Seen)", "STORE 1 +FLAGS (\\Seen)", "STORE 2 +FLAGS.SILENT (\\Flagged)",
                    "STORE 1:2 -FLAGS (\\Seen)", "STORE 3 FLAGS (\\Answered \\Draft)", "STORE 1 +FLAGS ($Label1)",
                    "STORE 2 +FLAGS.SILENT (newkw)", "FETCH 2 FLAGS", "STORE 1:* +FLAGS (\\Deleted)",
                    "STORE 1:* -FLAGS.SILENT (\\Deleted)", "STORE 4 FLAGS ()", "STORE 1 +FLAGS (\\Recent)",
                    "STORE 1 +FLAGS (\\Bogus)", "STORE 1 +FLAGS (NIL)", "STORE 1 FLAGS NIL", "STORE 1 +FLAGS \\Seen",
                    "STORE 1 +FLAGS (kw1 kw2 kw3)", "STORE 1 -FLAGS (kw2)", "STORE 1 BOGUS (\\Seen)",
                    "STORE 9 +FLAGS (\\Seen)", "UID STORE 2:3 +FLAGS ($Label2)", "UID STORE 100 +FLAGS (\\Seen)",
                    "STORE 1 +FLAGS (" + "k" * 60 + ")", "STORE 5 +FLAGS ($Forwarded $MDNSent $Junk)",
                    "STORE 1 +FLAGS (a]b)", "STORE 1 +FLAGS (\\SEEN)", "STORE 1 +FLAGS (KW1)",
                    "STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)", "FETCH 1:* (FLAGS)", "SELECT INBOX", "NOOP"]:
        a.cmd(request)


@script
def store_condstore(h: Harness):
    a = h.session()
    track_modseqs(a)
    fill(a, messages=HANDMADE[:4])
    a.cmd("SELECT INBOX")
    a.cmd("FETCH 1 (MODSEQ)")
    lines = a.cmd("FETCH 1:* (MODSEQ FLAGS)")
    first = modseq_of(lines, rb"MODSEQ")
    a.cmd("STORE 1 +FLAGS.SILENT (\\Seen)")
    a.cmd("STORE 2 +FLAGS (\\Seen)")
    a.cmd("STORE 1:2 (UNCHANGEDSINCE ", Var("modseq", first), ") +FLAGS (\\Flagged)")
    a.cmd("STORE 3 (UNCHANGEDSINCE ", Var("modseq", first), ") +FLAGS.SILENT (\\Flagged)")
    lines = a.cmd("FETCH 1:* (MODSEQ)")
    a.cmd("STORE 4 (UNCHANGEDSINCE 0) +FLAGS (\\Seen)")
    a.cmd("UID STORE 1:4 (UNCHANGEDSINCE ", Var("modseq", first), ") -FLAGS (\\Flagged)")
    a.cmd("STORE 1 (UNCHANGEDSINCE 999999999) +FLAGS ($kw)")
    a.cmd("STORE 1 (BOGUS 1) +FLAGS ($kw)")
    a.cmd("FETCH 1:* (FLAGS MODSEQ)")
    highest = modseq_of(a.cmd("STATUS INBOX (HIGHESTMODSEQ)"))
    a.cmd("FETCH 1:* (FLAGS) (CHANGEDSINCE ", Var("modseq", first), ")")
    a.cmd("UID FETCH 1:* (UID) (CHANGEDSINCE ", Var("modseq", highest), ")")
    a.cmd("SEARCH MODSEQ ", Var("modseq", first))
    a.cmd('SEARCH MODSEQ "/flags/\\\\Seen" all ', Var("modseq", first))
    a.cmd("SEARCH RETURN (MIN MAX) MODSEQ ", Var("modseq", first))
    a.cmd("SEARCH RETURN (ALL COUNT) MODSEQ ", Var("modseq", first))


@script
def condstore_enable(h: Harness):
    setup = h.session("S")
    track_modseqs(setup)
    fill(setup, messages=HANDMADE[:3])
    a = h.session()
    a.cmd("SELECT INBOX")
    a.cmd("FETCH 1 (MODSEQ)")
    b = h.session("B")
    b.cmd("SELECT INBOX")
    b.cmd("SEARCH MODSEQ 1")
    c = h.session("C")
    c.cmd("SELECT INBOX")
    c.cmd("STORE 1 (UNCHANGEDSINCE 99999999) +FLAGS (\\Seen)")
    d = h.session("D")
    d.cmd("ENABLE CONDSTORE")
    d.cmd("SELECT INBOX")
    d.cmd("STATUS INBOX (HIGHESTMODSEQ)")
    e = h.session("E")
    e.cmd("EXAMINE INBOX (CONDSTORE)")
    e.cmd("FETCH 1:* (FLAGS)")


@script
def search(h: Harness):
    a = h.session()
    fill(a, flags=["\\Seen", "\\Answered $Label1", "\\Flagged", "\\Seen \\Flagged", "\\Draft", "", "\\Deleted",
                   "\\Seen", "custom"])
    a.cmd("SELECT INBOX")
    queries = [
        "ALL", "SEEN", "UNSEEN", "FLAGGED", "UNFLAGGED", "ANSWERED", "UNANSWERED", "DELETED", "UNDELETED", "DRAFT",
        "UNDRAFT", "KEYWORD $Label1", "KEYWORD custom", "KEYWORD nothing", "UNKEYWORD custom", "NEW", "OLD", "RECENT",
        "FROM alice", "FROM example.org", "FROM user-from@domain.org", "FROM \"Real Name\"", "FROM real",
        "FROM domain.org", "FROM müller", "FROM juergen", "FROM \"Zed, Carol\"", "FROM Frédéric", "TO bob",
        "TO plain@example.org", "TO \"Group One\"", "TO undisclosed", "CC carol", "CC zoe", "CC yamada", "CC 山田",
        "CC routed", "BCC user-from", "SUBJECT report", "SUBJECT \"plain report\"", "SUBJECT résumé", "SUBJECT Straße",
        "SUBJECT \"\"", "SUBJECT café", "HEADER Message-ID plain-1", "HEADER X-Missing \"\"", "HEADER Subject \"\"",
        "HEADER X-Long-Header \"two lines\"", "HEADER X-Long-Header TABS", "TEXT report", "BODY report",
        "BODY übersicht", "TEXT \"Grüße\"", "BODY \"soft line break\"", "BODY \"report.pdf\"", "TEXT \"report.pdf\"",
        "TEXT \"name.txt\"", "BODY \"long-file-name\"", "BODY Ünïcödé", "BODY café", "TEXT Caf", "BODY \"dot.png\"",
        "TEXT \"missing end boundary\"", "BODY missing", "TEXT nul", "TEXT \"Plain report\"",
        "BEFORE 14-Oct-2020", "ON 14-Oct-2020", "SINCE 14-Oct-2020", "ON 13-Oct-2020", "SENTBEFORE 7-Oct-2020",
        "SENTON 7-Oct-2020", "SENTSINCE 8-Oct-2020", "SENTON 9-Oct-2020", "SENTON 10-Oct-2020", "SENTBEFORE 1-Jan-2100",
        "LARGER 1000", "SMALLER 500", "LARGER 100000", "1:3", "2,4:*", "*", "5:3", "UID 2:4", "UID 9:*", "UID 100:*",
        "NOT SEEN", "NOT NOT SEEN", "OR SEEN FLAGGED", "OR (FROM alice) (TO bob)", "(SEEN FLAGGED)",
        "OR OR SEEN FLAGGED DRAFT", "NOT (OR SEEN FLAGGED)", "SEEN NOT FLAGGED 1:5", "OLDER 1", "YOUNGER 60",
        "CHARSET UTF-8 SUBJECT café", "CHARSET US-ASCII SUBJECT report", "CHARSET ISO-8859-1 BODY caf\xe9",
        "CHARSET X-UNKNOWN SUBJECT x", "BOGUS", "SUBJECT", "FROM", "(SEEN", "SEEN)", "$", "0", "1:0", "LARGER x",
        "BEFORE 1-Foo-2020", "UID", "NOT", "OR SEEN", "HEADER", "KEYWORD \\Seen", "UNKEYWORD $Label1 UNSEEN",
    ]
    for query in queries:
        encoded = query.encode("latin-1") if "\xe9" in query else query.encode()
        if any(byte >= 0x80 for byte in encoded) and not query.startswith("CHARSET"):
            # Non-ASCII needs a literal and a charset; the key goes first, the literal last.
            key, _, value = query.rpartition(" ")
            a.cmd(f"SEARCH CHARSET UTF-8 {key} ", Lit(value.strip('"').encode()))
        elif any(byte >= 0x80 for byte in encoded):
            key, _, value = query.rpartition(" ")
            a.cmd(b"SEARCH " + key.encode() + b" ", Lit(value.encode("latin-1") if "\xe9" in query else value.encode()))
        else:
            a.cmd("SEARCH " + query)
    a.cmd("UID SEARCH FLAGGED")
    a.cmd("UID SEARCH UID 3:5 SEEN")


@script
def esearch(h: Harness):
    a = h.session()
    track_modseqs(a)
    fill(a, flags=["\\Seen", "", "\\Flagged", "\\Seen \\Flagged", "", "", "\\Seen", "", ""])
    a.cmd("SELECT INBOX")
    for request in ["SEARCH RETURN () ALL", "SEARCH RETURN (MIN MAX COUNT) ALL", "SEARCH RETURN (ALL) UNSEEN",
                    "UID SEARCH RETURN (COUNT ALL) FLAGGED", "SEARCH RETURN (MIN) KEYWORD nothing",
                    "SEARCH RETURN (COUNT) KEYWORD nothing", "SEARCH RETURN (ALL) KEYWORD nothing",
                    "SEARCH RETURN (MAX) SEEN", "SEARCH RETURN (SAVE) SEEN", "FETCH $ (UID)", "SEARCH $ FLAGGED",
                    "UID SEARCH RETURN (SAVE MIN) FLAGGED", "UID FETCH $ (UID)",
                    "SEARCH RETURN (BOGUS) ALL", "SEARCH RETURN (MIN", "SEARCH RETURN (PARTIAL 1:2) ALL",
                    "SEARCH RETURN (PARTIAL -1:-2) ALL", "UID SEARCH RETURN (MIN MAX) UID 2:*",
                    "SEARCH CHARSET UTF-8 RETURN (COUNT) ALL", "SEARCH RETURN (COUNT) CHARSET UTF-8 ALL"]:
        a.cmd(request)
    a.cmd("FETCH 1:* (MODSEQ)")
    a.cmd("STORE 2 +FLAGS (\\Seen)")
    a.cmd("STORE 5 +FLAGS (\\Seen)")
    lines = a.cmd("FETCH 3 (MODSEQ)")
    base = modseq_of(lines, rb"MODSEQ")
    a.cmd("SEARCH RETURN (MIN) MODSEQ ", Var("modseq", base))
    a.cmd("SEARCH RETURN (MAX) MODSEQ ", Var("modseq", base))
    a.cmd("SEARCH RETURN (MIN MAX COUNT) MODSEQ ", Var("modseq", base))
    a.cmd("SEARCH RETURN (ALL) MODSEQ ", Var("modseq", base))
    a.cmd("SEARCH RETURN (COUNT) MODSEQ ", Var("modseq", base))
    a.cmd("UID SEARCH RETURN () MODSEQ ", Var("modseq", base))


@script
def sort_thread(h: Harness):
    a = h.session()
    fill(a)
    a.cmd("SELECT INBOX")
    for keys in ["(ARRIVAL)", "(DATE)", "(SUBJECT)", "(REVERSE SUBJECT)", "(SUBJECT REVERSE SIZE)", "(FROM)",
                 "(REVERSE FROM)", "(TO)", "(CC)", "(REVERSE CC)", "(CC REVERSE ARRIVAL)", "(SIZE)", "(REVERSE DATE)",
                 "(DISPLAYFROM)", "(DISPLAYTO)", "(REVERSE DISPLAYTO)", "(REVERSE ARRIVAL)", "(BOGUS)", "()"]:
        a.cmd(f"SORT {keys} UTF-8 ALL")
    for request in ["UID SORT (SUBJECT) UTF-8 ALL", "SORT (DATE) UTF-8 SEEN", "SORT (SUBJECT) US-ASCII ALL",
                    "SORT (SUBJECT) X-UNKNOWN ALL", "SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL",
                    "SORT RETURN () (DATE) UTF-8 ALL", "UID SORT RETURN (ALL) (SIZE) UTF-8 ALL",
                    "THREAD ORDEREDSUBJECT UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL", "THREAD REFS UTF-8 ALL",
                    "UID THREAD REFERENCES UTF-8 ALL", "THREAD REFERENCES UTF-8 SUBJECT report", "THREAD BOGUS UTF-8 ALL",
                    "THREAD REFERENCES X-UNKNOWN ALL"]:
        a.cmd(request)


@script
def copy_move(h: Harness):
    a = h.session()
    a.quietly("CREATE dest")
    fill(a, messages=HANDMADE[:6], flags=["\\Seen", "$Label1", "", "\\Flagged", "", ""])
    a.cmd("SELECT INBOX")
    for request in ["COPY 1:2 dest", "UID COPY 3 dest", "COPY 1 nothing", "COPY 99 dest", "COPY 1 INBOX",
                    "STATUS dest (MESSAGES UIDNEXT RECENT UNSEEN)", "MOVE 2 dest", "UID MOVE 4:5 dest",
                    "MOVE 1 nothing", "MOVE 50 dest", "UID MOVE 100 dest", "UID COPY 100 dest", "FETCH 1:* (UID FLAGS)",
                    "EXAMINE dest", "FETCH 1:* (UID FLAGS INTERNALDATE)", "COPY 1 INBOX",
                    "SELECT dest", "MOVE 1:2 dest", "FETCH 1:* (UID FLAGS)", "EXAMINE dest", "MOVE 1 INBOX"]:
        a.cmd(request)


@script
def expunge(h: Harness):
    a = h.session()
    fill(a, messages=HANDMADE[:8])
    a.cmd("SELECT INBOX")
    for request in ["EXPUNGE", "STORE 2,4 +FLAGS.SILENT (\\Deleted)", "EXPUNGE", "FETCH 1:* (UID)",
                    "STORE 1:* +FLAGS.SILENT (\\Deleted)", "UID EXPUNGE 1:3", "UID EXPUNGE 100", "UID EXPUNGE",
                    "FETCH 1:* (UID FLAGS)", "STORE 1 -FLAGS.SILENT (\\Deleted)", "CLOSE", "SELECT INBOX",
                    "FETCH 1:* (UID FLAGS)", "EXAMINE INBOX", "EXPUNGE", "UID EXPUNGE 1:*", "CLOSE", "EXPUNGE"]:
        a.cmd(request)


@script
def qresync(h: Harness):
    a = h.session()
    track_modseqs(a)
    fill(a, messages=HANDMADE[:6])
    a.cmd("ENABLE QRESYNC")
    lines = a.cmd("SELECT INBOX")
    validity, start = uidvalidity_of(lines), modseq_of(lines)
    a.cmd("STORE 2 +FLAGS (\\Seen)")
    a.cmd("STORE 3,5 +FLAGS.SILENT (\\Deleted)")
    a.cmd("EXPUNGE")
    a.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE ", Var("modseq", start), " VANISHED)")
    a.cmd("FETCH 1:* (FLAGS) (CHANGEDSINCE ", Var("modseq", start), " VANISHED)")
    a.cmd("UID FETCH 1:* (FLAGS) (VANISHED)")
    a.cmd("UNSELECT")
    a.cmd("SELECT INBOX (QRESYNC (", Var("uidvalidity", validity), " ", Var("modseq", start), "))")
    a.cmd("SELECT INBOX (QRESYNC (", Var("uidvalidity", validity), " ", Var("modseq", start), " 1:6))")
    a.cmd("SELECT INBOX (QRESYNC (", Var("uidvalidity", validity), " ", Var("modseq", start), " 1:6 (1,3,5 1,3,5)))")
    a.cmd("SELECT INBOX (QRESYNC (1 ", Var("modseq", start), "))")
    a.cmd("EXAMINE INBOX (QRESYNC (", Var("uidvalidity", validity), " 1))")
    a.cmd("UID EXPUNGE 100")
    a.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)")
    a.cmd("UID EXPUNGE 1")
    b = h.session("B")
    b.cmd("SELECT INBOX (QRESYNC (", Var("uidvalidity", validity), " ", Var("modseq", start), "))")
    b.cmd("ENABLE QRESYNC")
    b.cmd("SELECT INBOX (QRESYNC (", Var("uidvalidity", validity), " ", Var("modseq", start), "))")
    c = h.session("C")
    c.cmd("ENABLE QRESYNC")
    c.cmd("SELECT INBOX")
    b.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)")
    b.cmd("EXPUNGE")
    c.cmd("NOOP")
    c.cmd("CLOSE")


@script
def idle(h: Harness):
    a = h.session()
    track_modseqs(a)
    fill(a, messages=HANDMADE[:3])
    a.cmd("SELECT INBOX")
    b = h.session("B")
    b.cmd("SELECT INBOX")
    a.idle()
    b.cmd("STORE 1 +FLAGS ($NewKeyword)")
    a.collect()
    b.cmd("APPEND INBOX (\\Seen fresh) \"20-Oct-2020 10:00:00 +0000\" ", Lit(PLAIN))
    a.collect()
    b.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    # Collected apart from the expunge: whether both land in one wake-up or two is timing, not behaviour.
    a.collect()
    b.cmd("EXPUNGE")
    a.collect()
    b.cmd("STORE 1 -FLAGS ($NewKeyword)")
    a.collect()
    a.done()
    a.cmd("NOOP")
    a.cmd("FETCH 1:* (UID FLAGS)")
    a.cmd("ENABLE CONDSTORE")
    a.idle()
    b.cmd("STORE 1 +FLAGS (\\Answered)")
    a.collect()
    a.done()


@script
def noop_catchup(h: Harness):
    a = h.session()
    fill(a, messages=HANDMADE[:4])
    a.cmd("SELECT INBOX")
    b = h.session("B")
    b.cmd("SELECT INBOX")
    b.cmd("STORE 1 +FLAGS (other1)")
    b.cmd("APPEND INBOX (other2) \"21-Oct-2020 10:00:00 +0000\" ", Lit(MIXED))
    b.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    b.cmd("EXPUNGE")
    a.cmd("FETCH 1:* (UID)")
    a.cmd("STORE 3 +FLAGS (\\Seen)")
    a.cmd("SEARCH ALL")
    a.cmd("NOOP")
    a.cmd("FETCH 1:* (UID FLAGS)")
    b.cmd("STORE 1 FLAGS (\\Seen)")
    a.cmd("CHECK")
    b.cmd("APPEND INBOX ", Lit(PLAIN))
    b.cmd("MOVE 1 INBOX")
    a.cmd("NOOP")
    a.cmd("FETCH 1:* (UID FLAGS)")


@script
def notify(h: Harness):
    a = h.session()
    a.cmd("ENABLE CONDSTORE")
    a.quietly("CREATE other")
    a.quietly("CREATE x")
    fill(a, messages=HANDMADE[:2])
    for request in ["NOTIFY SET STATUS (MAILBOXES other (MessageExpunge))",
                    "NOTIFY SET (MAILBOXES x (MessageNew))",
                    "NOTIFY SET STATUS (INBOXES (MessageNew MessageExpunge))",
                    "NOTIFY SET STATUS (PERSONAL (MessageNew MessageExpunge FlagChange))",
                    "NOTIFY SET (SELECTED (MessageNew (UID FLAGS) MessageExpunge FlagChange)) (PERSONAL (MessageNew MessageExpunge))",
                    "NOTIFY SET (SUBTREE other (MailboxName))", "NOTIFY SET (SELECTED (FlagChange))",
                    "NOTIFY SET (SELECTED (Bogus))", "NOTIFY BOGUS", "NOTIFY SET (MAILBOXES nothing (MessageNew MessageExpunge))",
                    "NOTIFY NONE"]:
        a.cmd(request)
    a.cmd("SELECT INBOX")
    a.cmd("NOTIFY SET (SELECTED (MessageNew (UID FLAGS) MessageExpunge FlagChange)) (PERSONAL (MessageNew MessageExpunge))")
    b = h.session("B")
    b.cmd("APPEND other \"22-Oct-2020 10:00:00 +0000\" ", Lit(PLAIN))
    a.collect()
    b.cmd("SELECT INBOX")
    b.cmd("STORE 1 +FLAGS (\\Flagged)")
    a.collect()
    b.cmd("APPEND INBOX \"22-Oct-2020 11:00:00 +0000\" ", Lit(MIXED))
    a.collect()
    a.cmd("NOOP")
    a.cmd("NOTIFY NONE")
    b.cmd("STORE 2 +FLAGS (\\Seen)")
    a.cmd("NOOP")


@script
def errors(h: Harness):
    a = h.session()
    fill(a, messages=HANDMADE[:2])
    for request in ["BOGUS", "FETCH 1 FLAGS", "STORE 1 +FLAGS (\\Seen)", "EXPUNGE", "CLOSE", "SEARCH ALL", "SELECT",
                    "SELECT a b", "CREATE", "DELETE", "RENAME a", "STATUS INBOX", "STATUS INBOX ()", "STATUS INBOX (BOGUS)",
                    "STATUS nothing (MESSAGES)", "LIST", "LIST \"\"", "LSUB", "APPEND", "APPEND INBOX", "COPY 1 INBOX",
                    "UID BOGUS 1", "NOOP extra", "CAPABILITY extra", "ENABLE", "LOGIN a b", "AUTHENTICATE PLAIN",
                    "SELECT INBOX", "FETCH", "FETCH 1", "FETCH 1 (FLAGS", "FETCH x FLAGS", "FETCH 1:x FLAGS",
                    "STORE 1", "STORE 1 +FLAGS", "COPY 1", "SEARCH", "SEARCH CHARSET", "UID", "UID FETCH",
                    "FETCH 1 FLAGS extra", "EXPUNGE extra", "CHECK extra", "ID", "ID (\"a\")", "UNSELECT", "FETCH 1 FLAGS",
                    "SELECT \"unterminated", "LIST \"\" \"*\" RETURN", "RENAME INBOX INBOX",
                    "DELETE \"\"", "SUBSCRIBE", "GETQUOTAROOT INBOX", "XLIST \"\" *", "STARTTLS",
                    "AUTHENTICATE PLAIN", "NOOP"]:
        a.cmd(request)
    a.cmd("APPEND INBOX ", Lit(b"x" * 10, sync=True), " trailing")
    a.cmd("NOOP")
