#!/usr/bin/env python3
"""A state-tracking concurrent IMAP stress client: N sessions on a few shared users and mailboxes send random
mixes of SELECT/EXAMINE, FETCH, STORE of flags and keywords, APPEND, COPY, MOVE, EXPUNGE, IDLE, NOOP, STATUS and
SEARCH, each modelling its own view of the selected mailbox, and a finding is recorded for every rule break
(keywords used before an untagged FLAGS announced them, EXISTS/EXPUNGE arithmetic, FETCH beyond EXISTS, UIDs
or MODSEQs going backwards, UIDVALIDITY changes, EXPUNGE during FETCH/STORE/SEARCH, unparsable responses,
unexpected BAD/NO, dropped connections). Every --checkpoint-every seconds all sessions of a user pause, catch
up (NOOP, then UID FETCH 1:* (FLAGS)) and all views of a mailbox must agree. Exit status 1 on any finding.

  python3 bench/imap_stress.py --server objectmail --store s3 --seconds 600     # the 10-minute run on SeaweedFS
  python3 bench/imap_stress.py --server objectmail --store posix --seconds 60
  python3 bench/imap_stress.py --server dovecot --seconds 60                    # the oracle: 0 findings
  python3 bench/imap_stress.py --host 127.0.0.1 --port 143 --user-template 'u{n}@example.com' --password pw

Standard library only: its own response parser on asyncio streams (imaplib hides untagged responses)."""
import argparse
import asyncio
import collections
import dataclasses
import json
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------------------------- the parser

class ParseError(Exception):
    pass


LITERAL_AT_END = re.compile(rb"~?\{(\d+)\}\r\n$")
FLAG = re.compile(r'^(\\\*|\\?[^\x00-\x20(){%*"\\\]\x7f-\uffff]+)$')
TAG = re.compile(rb"^[\x21-\x7e]+$")
NUMBER = re.compile(r"^\d+$")
ATOM_END = b'() \r\n"{'
SYSTEM_FLAGS = {"\\seen", "\\answered", "\\flagged", "\\deleted", "\\draft", "\\recent"}


class Reader:
    """Generic IMAP values over one response (literals inline): an atom is a str (NIL is None), a quoted string
    or a literal is bytes, a parenthesized list is a list."""

    def __init__(self, data: bytes, position: int = 0):
        self.data, self.i = data, position

    def peek(self) -> int:
        if self.i >= len(self.data):
            raise ParseError("response ends early")
        return self.data[self.i]

    def expect(self, text: bytes) -> None:
        if not self.data.startswith(text, self.i):
            raise ParseError(f"expected {text!r} at {self.i}")
        self.i += len(text)

    def space(self) -> None:
        self.expect(b" ")

    def at_end(self) -> bool:
        return self.data.startswith(b"\r\n", self.i)

    def end(self) -> None:
        if self.i != len(self.data) - 2 or not self.at_end():
            raise ParseError(f"junk at {self.i}: {self.data[self.i:self.i + 30]!r}")

    def value(self):
        c = self.peek()
        if c == 0x28:
            return self.list()
        if c == 0x22:
            return self.quoted()
        if c == 0x7B or (c == 0x7E and self.data.startswith(b"{", self.i + 1)):
            return self.literal()
        return self.atom()

    def list(self) -> list:
        self.expect(b"(")
        items = []
        if self.peek() == 0x29:
            self.i += 1
            return items
        while True:
            items.append(self.value())
            c = self.peek()
            if c == 0x29:
                self.i += 1
                return items
            if c != 0x20:
                raise ParseError(f"expected SP or ) in a list at {self.i}")
            self.i += 1

    def quoted(self) -> bytes:
        self.expect(b'"')
        out = bytearray()
        while True:
            c = self.peek()
            self.i += 1
            if c == 0x5C:
                escaped = self.peek()
                if escaped not in (0x22, 0x5C):
                    raise ParseError("bad quoted-pair")
                out.append(escaped)
                self.i += 1
            elif c == 0x22:
                return bytes(out)
            elif c in (0x0D, 0x0A, 0):
                raise ParseError("CR/LF/NUL in a quoted string")
            else:
                out.append(c)

    def literal(self) -> bytes:
        if self.peek() == 0x7E:
            self.i += 1
        match = re.compile(rb"\{(\d+)\}\r\n").match(self.data, self.i)
        if not match:
            raise ParseError("bad literal")
        size = int(match.group(1))
        start = match.end()
        if start + size > len(self.data):
            raise ParseError("literal runs past the response")
        self.i = start + size
        return self.data[start:self.i]

    def atom(self):
        """An atom; `[` … `]` sections (BODY[HEADER]) belong to it, `<n>` origins too."""
        start, depth = self.i, 0
        while self.i < len(self.data):
            c = self.data[self.i]
            if c == 0x5B:
                depth += 1
            elif c == 0x5D:
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and c in ATOM_END:
                break
            elif c in (0x0D, 0x0A):
                raise ParseError("CR/LF in a section")
            self.i += 1
        if self.i == start:
            raise ParseError(f"expected a value at {start}: {self.data[start:start + 20]!r}")
        try:
            token = self.data[start:self.i].decode("ascii")
        except UnicodeDecodeError:
            raise ParseError("8-bit atom") from None
        return None if token.upper() == "NIL" else token

    def word(self) -> str:
        token = self.atom()
        if token is None:
            return "NIL"
        return token

    def number(self) -> int:
        token = self.word()
        if not NUMBER.match(token):
            raise ParseError(f"expected a number, got {token!r}")
        return int(token)

    def text(self) -> str:
        """The rest of the line (resp-text's text, possibly empty)."""
        end = self.data.index(b"\r\n", self.i)
        text = self.data[self.i:end].decode("utf-8", "replace")
        self.i = end
        return text


@dataclasses.dataclass
class Response:
    raw: bytes
    tag: str  # "*", "+", or the tag
    kind: str  # OK NO BAD BYE PREAUTH FLAGS EXISTS RECENT EXPUNGE FETCH SEARCH STATUS ... CONTINUE
    number: int = 0
    code: str = ""  # resp-text-code name
    code_args: object = None
    text: str = ""
    items: dict = dataclasses.field(default_factory=dict)  # FETCH attributes, STATUS items
    values: list = dataclasses.field(default_factory=list)  # FLAGS, SEARCH numbers, CAPABILITY words
    mailbox: str = ""


def as_flags(value) -> list[str]:
    if not isinstance(value, list):
        raise ParseError("flags are not a list")
    flags = []
    for flag in value:
        flag = "NIL" if flag is None else flag
        if not isinstance(flag, str) or not FLAG.match(flag):
            raise ParseError(f"bad flag {flag!r}")
        flags.append(flag)
    return flags


def nstring(value) -> None:
    if value is not None and not isinstance(value, bytes):
        raise ParseError(f"expected nstring, got {value!r}")


def check_envelope(value) -> None:
    if not isinstance(value, list) or len(value) != 10:
        raise ParseError("ENVELOPE is not a 10-item list")
    for index in (0, 1, 8, 9):
        nstring(value[index])
    for addresses in value[2:8]:
        if addresses is None:
            continue
        if not isinstance(addresses, list) or not addresses:
            raise ParseError("ENVELOPE address list")
        for address in addresses:
            if not isinstance(address, list) or len(address) != 4:
                raise ParseError("ENVELOPE address is not a 4-item list")
            for part in address:
                nstring(part)


def fetch_items(values: list) -> dict:
    if len(values) % 2:
        raise ParseError("FETCH list has an odd number of items")
    items = {}
    for name, value in zip(values[::2], values[1::2]):
        if not isinstance(name, str):
            raise ParseError(f"FETCH item name {name!r}")
        upper = name.upper()
        if upper == "FLAGS":
            value = as_flags(value)
        elif upper in ("UID", "RFC822.SIZE"):
            if not isinstance(value, str) or not NUMBER.match(value):
                raise ParseError(f"{upper} {value!r}")
            value = int(value)
        elif upper == "MODSEQ":
            if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) and NUMBER.match(value[0])):
                raise ParseError(f"MODSEQ {value!r}")
            value = int(value[0])
        elif upper == "ENVELOPE":
            check_envelope(value)
        elif upper.startswith("BODY[") or upper.startswith("RFC822"):
            nstring(value)
        elif upper == "INTERNALDATE":
            if not isinstance(value, bytes):
                raise ParseError("INTERNALDATE")
        if upper in items:
            raise ParseError(f"{upper} twice in one FETCH")
        items[upper] = value
    return items


def parse_code(reader: Reader, response: Response) -> None:
    """`[CODE args]` of a resp-text, if there is one."""
    if reader.i >= len(reader.data) or reader.data[reader.i] != 0x5B:
        return
    reader.i += 1
    end = reader.i
    while reader.data[end] not in b" ]\r\n":
        end += 1
    response.code = reader.data[reader.i:end].decode("ascii", "replace").upper()
    reader.i = end
    args: object = None
    if reader.data[reader.i] == 0x20:
        reader.i += 1
        if response.code == "PERMANENTFLAGS":
            args = as_flags(reader.list())
        elif response.code in ("UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ", "UNSEEN"):
            args = reader.number()
        elif response.code in ("APPENDUID", "COPYUID"):
            args = [reader.number()]
            while reader.peek() == 0x20:
                reader.i += 1
                args.append(reader.word())
        else:
            close = reader.data.index(b"]", reader.i)
            args = reader.data[reader.i:close].decode("ascii", "replace")
            reader.i = close
    response.code_args = args
    reader.expect(b"]")
    if reader.peek() == 0x20:
        reader.i += 1


def parse_response(raw: bytes) -> Response:
    if not raw.endswith(b"\r\n"):
        raise ParseError("no CRLF")
    if raw.startswith(b"+"):
        return Response(raw, "+", "CONTINUE", text=raw[1:].decode("utf-8", "replace").strip())
    space = raw.find(b" ")
    if space <= 0 or not TAG.match(raw[:space]):
        raise ParseError("no tag")
    tag = raw[:space].decode()
    reader = Reader(raw, space + 1)
    word = reader.word()
    if tag != "*":
        kind = word.upper()
        if kind not in ("OK", "NO", "BAD"):
            raise ParseError(f"tagged {kind}")
        response = Response(raw, tag, kind)
        if reader.at_end():
            return response
        reader.space()
        parse_code(reader, response)
        response.text = reader.text()
        reader.end()
        return response
    if NUMBER.match(word):
        reader.space()
        kind = reader.word().upper()
        response = Response(raw, tag, kind, number=int(word))
        if kind == "FETCH":
            reader.space()
            response.items = fetch_items(reader.list())
        elif kind not in ("EXISTS", "RECENT", "EXPUNGE"):
            raise ParseError(f"unknown numbered response {kind}")
        reader.end()
        return response
    kind = word.upper()
    response = Response(raw, tag, kind)
    if kind in ("OK", "NO", "BAD", "BYE", "PREAUTH"):
        if not reader.at_end():
            reader.space()
            parse_code(reader, response)
            response.text = reader.text()
    elif kind == "FLAGS":
        reader.space()
        response.values = as_flags(reader.list())
    elif kind in ("CAPABILITY", "ENABLED"):
        while not reader.at_end():
            reader.space()
            response.values.append(reader.word().upper())
    elif kind == "SEARCH":
        while not reader.at_end():
            reader.space()
            if reader.peek() == 0x28:
                modseq = reader.list()
                if len(modseq) != 2 or str(modseq[0]).upper() != "MODSEQ" or not NUMBER.match(str(modseq[1])):
                    raise ParseError("SEARCH (MODSEQ n)")
                continue
            response.values.append(reader.number())
    elif kind == "STATUS":
        reader.space()
        mailbox = reader.value()
        response.mailbox = mailbox.decode() if isinstance(mailbox, bytes) else str(mailbox)
        reader.space()
        values = reader.list()
        if len(values) % 2:
            raise ParseError("STATUS list")
        for name, value in zip(values[::2], values[1::2]):
            if not isinstance(value, str) or not NUMBER.match(value):
                raise ParseError(f"STATUS {name} {value!r}")
            response.items[str(name).upper()] = int(value)
    elif kind in ("LIST", "LSUB"):
        reader.space()
        as_flags(reader.list())
        reader.space()
        nstring(reader.value())
        reader.space()
        response.mailbox = str(reader.value())
        while not reader.at_end():
            reader.space()
            reader.value()
    elif kind in ("ESEARCH", "VANISHED", "ID", "NAMESPACE"):
        while not reader.at_end():
            reader.space()
            response.values.append(reader.value())
    else:
        raise ParseError(f"unknown response {kind}")
    reader.end()
    return response


# ----------------------------------------------------------------------------------------------- findings

@dataclasses.dataclass
class Finding:
    kind: str
    session: str
    response: str
    command: str
    context: list


class Findings:
    def __init__(self, verbose: bool):
        self.by_kind: dict[str, list[Finding]] = collections.defaultdict(list)
        self.notes: dict[str, list[Finding]] = collections.defaultdict(list)  # differences from Dovecot, not faults
        self.verbose = verbose

    def add(self, kind: str, session: "Session | None", response, command: str = "", note: bool = False) -> None:
        text = response.decode("utf-8", "replace") if isinstance(response, bytes) else str(response)
        text = text.replace("\r\n", "")
        context = list(session.transcript) if session else []
        finding = Finding(kind, session.id if session else "-", text.rstrip("\r\n")[:400], command[:200], context)
        (self.notes if note else self.by_kind)[kind].append(finding)
        if self.verbose:
            print(f"{'NOTE' if note else 'FINDING'} {kind} [{finding.session}] {finding.response!r} after {finding.command!r}", file=sys.stderr)

    def count(self) -> int:
        return sum(len(found) for found in self.by_kind.values())


# ----------------------------------------------------------------------------------------------- shared state

class MailboxFacts:
    """What all sessions of a user have seen of one mailbox, for rules across sessions: UIDVALIDITY never
    changes; a UID or MODSEQ seen before a command was sent is below that command's UIDNEXT / at most its
    HIGHESTMODSEQ, and below any UID the command assigns."""

    def __init__(self):
        self.uidvalidity: int | None = None
        self.max_uid = 0
        self.max_modseq = 0
        self.max_uidnext = 0

    def note(self, uid: int = 0, modseq: int = 0, uidnext: int = 0) -> None:
        self.max_uid = max(self.max_uid, uid)
        self.max_modseq = max(self.max_modseq, modseq)
        self.max_uidnext = max(self.max_uidnext, uidnext)

    def snapshot(self) -> tuple[int, int, int]:
        return self.max_uid, self.max_modseq, self.max_uidnext


class Vocabulary:
    """Keywords in use: $Label1 at first, then one new keyword every `every` seconds ($Label2..$Label5, client
    keywords such as $Forwarded, then random names), so new keywords keep appearing in every mailbox."""

    LATER = ["$Label2", "$Label3", "$Forwarded", "$Label4", "$MDNSent", "$Label5", "Junk", "NonJunk", "NIL"]

    def __init__(self, rng: random.Random, limit: int, seconds: float):
        self.rng, self.limit = rng, limit
        self.words = ["$Label1"]
        self.every = max(0.5, seconds / max(1, limit))
        self.started = time.monotonic()

    def current(self) -> list[str]:
        due = min(self.limit, 1 + int((time.monotonic() - self.started) / self.every))
        while len(self.words) < due:
            index = len(self.words) - 1
            if index < len(self.LATER):
                self.words.append(self.LATER[index])
            else:
                self.words.append("kw_" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)))
        return self.words


class User:
    def __init__(self, name: str, mailboxes: list[str]):
        self.name = name
        self.mailboxes = mailboxes
        self.facts = {mailbox: MailboxFacts() for mailbox in mailboxes}
        self.sessions: list[Session] = []
        self.pausing = False
        self.parked: set[Session] = set()
        self.all_parked = asyncio.Event()
        self.resume = asyncio.Event()

    def active(self) -> list["Session"]:
        return [session for session in self.sessions if not session.finished]

    def note_parked(self) -> None:
        if self.pausing and all(session in self.parked for session in self.active()):
            self.all_parked.set()

    async def park(self, session: "Session") -> None:
        self.parked.add(session)
        self.note_parked()
        await self.resume.wait()


# ----------------------------------------------------------------------------------------------- a session

class Command:
    def __init__(self, kind: str, tag: str, text: bytes, mailbox: str | None):
        self.kind, self.tag, self.text = kind, tag, text
        self.uid = kind.startswith("UID ")
        self.base = kind.split()[-1]  # FETCH, STORE, SEARCH, ...
        self.mailbox = mailbox  # selected when it was sent
        self.untagged: list[Response] = []
        self.tagged: Response | None = None
        self.before: dict[str, tuple[int, int, int]] = {}

    def shown(self) -> str:
        return f"{self.tag} {self.text.decode('utf-8', 'replace')}"


class Dropped(Exception):
    pass


def seqset(numbers) -> str:
    numbers = sorted(set(numbers))
    parts, start, previous = [], None, None
    for number in numbers:
        if start is None:
            start = previous = number
        elif number == previous + 1:
            previous = number
        else:
            parts.append(f"{start}:{previous}" if start != previous else str(start))
            start = previous = number
    if start is not None:
        parts.append(f"{start}:{previous}" if start != previous else str(start))
    return ",".join(parts)


def norm(flags) -> frozenset[str]:
    """Flags compared between sessions: case-insensitive, without the session-bound \\Recent."""
    return frozenset(flag.lower() for flag in flags if flag.lower() != "\\recent")


class Session:
    def __init__(self, run: "Run", user: User, index: int):
        self.run, self.user, self.index = run, user, index
        self.id = f"{user.name}#{index}"
        self.rng = random.Random(run.rng.random())
        self.reader = self.writer = None
        self.counter = 0
        self.finished = False
        self.capabilities: set[str] = set()
        self.condstore = False
        self.transcript: collections.deque = collections.deque(maxlen=24)
        self.current: Command | None = None
        self.last_command = ""
        # message facts kept across SELECTs: mailbox -> uid -> (modseq, flags) seen in one FETCH
        self.message_modseqs: dict[str, dict[int, tuple[int, frozenset]]] = collections.defaultdict(dict)
        self.own: dict[str, MailboxFacts] = collections.defaultdict(MailboxFacts)  # what this session saw itself
        self.deselect()

    def deselect(self) -> None:
        self.mailbox: str | None = None
        self.readonly = False
        self.exists = 0
        self.uids: list[int | None] = []
        self.flags: list[frozenset | None] = []
        self.keywords: set[str] = set()

    def finding(self, kind: str, response, command: Command | None = None) -> None:
        command = command or self.current
        self.run.findings.add(kind, self, response, command.shown() if command else self.last_command)

    # ------------------------------------------------------------------ the wire

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.run.host, self.run.port, limit=1 << 24)
        greeting = await self.read_raw()
        if not greeting.startswith(b"* OK"):
            raise Dropped(f"greeting {greeting!r}")
        self.deselect()
        self.condstore = False
        login = await self.command("LOGIN", b"LOGIN %s %s" % (quote(self.user.name), quote(self.run.password)))
        if login.tagged.kind != "OK":
            raise Dropped(f"login {login.tagged.raw!r}")
        capability = await self.command("CAPABILITY", b"CAPABILITY")
        for response in capability.untagged:
            if response.kind == "CAPABILITY":
                self.capabilities = set(response.values)
        if "CONDSTORE" in self.capabilities and self.rng.random() < self.run.condstore_share:
            if "ENABLE" in self.capabilities and self.rng.random() < 0.7:
                await self.command("ENABLE", b"ENABLE CONDSTORE")
                self.condstore = True
            else:
                self.condstore = None  # enabled by its first SELECT (CONDSTORE)

    def close(self) -> None:
        if self.writer:
            self.writer.close()
        self.reader = self.writer = None
        self.deselect()

    async def read_raw(self) -> bytes:
        line = await self.reader.readline()
        if not line.endswith(b"\n"):
            raise Dropped("connection closed" + (f" after {line[:200]!r}" if line else ""))
        while (match := LITERAL_AT_END.search(line)):
            line += await self.reader.readexactly(int(match.group(1)))
            more = await self.reader.readline()
            if not more.endswith(b"\n"):
                raise Dropped("connection closed in a literal")
            line += more
        self.transcript.append("S: " + shorten(line))
        return line

    def send(self, data: bytes) -> None:
        self.transcript.append("C: " + shorten(data))
        self.writer.write(data)

    async def command(self, kind: str, text: bytes, literal: bytes | None = None, idle: float | None = None,
                      allow_no: tuple[str, ...] = ()) -> Command:
        self.counter += 1
        tag = f"s{self.counter}"
        command = Command(kind, tag, text, self.mailbox)
        self.current = command
        self.last_command = command.shown()
        self.run.commands[kind] += 1
        # STATUS may answer from a cache that lags behind other sessions (Dovecot's mailbox list index does):
        # it is held only to what this session saw itself.
        seen = self.own if kind == "STATUS" else self.user.facts
        command.before = {name: seen[name].snapshot() for name in self.user.mailboxes}
        line = tag.encode() + b" " + text
        deadline = self.run.command_timeout
        try:
            async with asyncio.timeout(deadline):
                if literal is not None and "LITERAL+" in self.capabilities and self.rng.random() < 0.5:
                    self.send(line + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
                elif literal is not None:
                    self.send(line + b" {%d}\r\n" % len(literal))
                    if not await self.until_continuation(command):
                        return self.finish(command, allow_no)
                    self.send(literal + b"\r\n")
                else:
                    self.send(line + b"\r\n")
                    if idle is not None:
                        if not await self.until_continuation(command):
                            return self.finish(command, allow_no)
                        asyncio.get_running_loop().call_later(idle, self.done_idle, command)
                while command.tagged is None:
                    self.handle(await self.read_raw(), command)
        except TimeoutError:
            raise Dropped(f"no tagged answer in {deadline} s") from None
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            raise Dropped(f"{type(error).__name__}: {error}") from None
        return self.finish(command, allow_no)

    def done_idle(self, command: Command) -> None:
        if command.tagged is None and self.writer and self.current is command:
            self.send(b"DONE\r\n")

    async def until_continuation(self, command: Command) -> bool:
        while True:
            raw = await self.read_raw()
            if raw.startswith(b"+"):
                return True
            self.handle(raw, command)
            if command.tagged is not None:
                return False

    def finish(self, command: Command, allow_no: tuple[str, ...]) -> Command:
        self.current = None
        tagged = command.tagged
        if tagged.kind == "BAD":
            self.finding("tagged BAD", tagged.raw, command)
        elif tagged.kind == "NO" and tagged.code not in allow_no:
            self.finding(f"tagged NO [{tagged.code}]" if tagged.code else "tagged NO", tagged.raw, command)
        # No EXPUNGE when no command is in progress (RFC 3501 §7.4.1): what the server sent after the tagged
        # response, before our next command, is still in the stream buffer.
        if self.reader is not None and re.search(rb"^\* \d+ EXPUNGE\r$", bytes(self.reader._buffer), re.M):
            self.finding("EXPUNGE when no command is in progress", bytes(self.reader._buffer[:300]), command)
        return command

    # ------------------------------------------------------------------ the model

    def handle(self, raw: bytes, command: Command) -> None:
        try:
            response = parse_response(raw)
        except ParseError as error:
            self.finding("unparsable response", raw[:300] + f"  ({error})".encode(), command)
            if raw.startswith(command.tag.encode() + b" "):
                command.tagged = Response(raw, command.tag, "BAD")
            return
        if response.tag == "+":
            self.finding("unexpected continuation", raw, command)
            return
        if response.tag != "*":
            if response.tag != command.tag:
                self.finding("unexpected tag", raw, command)
                return
            command.tagged = response
            self.on_code(response, command)
            if command.base in ("SELECT", "EXAMINE"):
                if response.kind == "OK":
                    self.readonly = response.code == "READ-ONLY" or command.base == "EXAMINE"
                else:
                    self.deselect()
            return
        command.untagged.append(response)
        kind = response.kind
        self.run.checked[kind] += 1
        if kind in ("OK", "NO", "BAD", "BYE", "PREAUTH"):
            if kind == "BYE" and command.kind != "LOGOUT":
                self.finding("BYE", raw, command)
            elif kind in ("NO", "BAD"):
                self.finding(f"untagged {kind}", raw, command)
            self.on_code(response, command)
        elif kind == "FLAGS":
            if self.mailbox is not None:
                keywords = {flag.lower() for flag in response.values if not flag.startswith("\\")}
                if keywords - self.keywords and command.base not in ("SELECT", "EXAMINE"):
                    self.run.checked["FLAGS with new keywords"] += 1
                self.keywords = keywords
        elif kind == "EXISTS":
            self.on_exists(response, command)
        elif kind == "RECENT":
            if response.number > self.exists:
                self.finding("RECENT above EXISTS", raw, command)
        elif kind == "EXPUNGE":
            self.on_expunge(response, command)
        elif kind == "FETCH":
            self.on_fetch(response, command)
        elif kind == "SEARCH":
            if not command.uid:
                for number in response.values:
                    if not 1 <= number <= self.exists:
                        self.finding("SEARCH result beyond EXISTS", raw, command)
                        break
            else:
                self.observe_uids(command.mailbox, response.values, raw, command)
        elif kind == "STATUS":
            self.on_status(response, command)
        elif kind == "VANISHED":
            self.finding("VANISHED without QRESYNC", raw, command)

    def facts(self, mailbox: str | None) -> MailboxFacts | None:
        return self.user.facts.get(mailbox) if mailbox else None

    def note(self, mailbox: str | None, **values) -> None:
        """Records a UID, MODSEQ or UIDNEXT seen in `mailbox`, for this session and for all sessions of the user."""
        if mailbox in self.user.facts:
            self.user.facts[mailbox].note(**values)
            self.own[mailbox].note(**values)

    def observe_uids(self, mailbox, uids, raw, command) -> None:
        if uids:
            self.note(mailbox, uid=max(uids))

    def check_uidvalidity(self, mailbox: str, value: int, raw: bytes, command: Command) -> None:
        facts = self.facts(mailbox)
        if facts is None:
            return
        if facts.uidvalidity is None:
            facts.uidvalidity = value
        elif facts.uidvalidity != value:
            self.finding("UIDVALIDITY changed", raw + f"  (was {facts.uidvalidity})".encode(), command)

    def check_uidnext(self, mailbox: str, value: int, raw: bytes, command: Command) -> None:
        facts = self.facts(mailbox)
        if facts is None:
            return
        max_uid, _, max_uidnext = command.before.get(mailbox, (0, 0, 0))
        if value <= max_uid:
            self.finding("UIDNEXT not above a UID seen before", raw + f"  (UID {max_uid} seen)".encode(), command)
        if value < max_uidnext:
            self.finding("UIDNEXT went backwards", raw + f"  (was {max_uidnext})".encode(), command)
        self.note(mailbox, uidnext=value)

    def check_highestmodseq(self, mailbox: str, value: int, raw: bytes, command: Command) -> None:
        _, max_modseq, _ = command.before.get(mailbox, (0, 0, 0))
        if value < max_modseq:
            self.finding("HIGHESTMODSEQ below a MODSEQ seen before", raw + f"  (MODSEQ {max_modseq} seen)".encode(),
                         command)
        self.note(mailbox, modseq=value)

    def check_new_uids(self, mailbox: str, uids: list[int], raw: bytes, command: Command) -> None:
        max_uid, _, max_uidnext = command.before.get(mailbox, (0, 0, 0))
        if uids and min(uids) <= max_uid:
            self.finding("assigned UID not above every UID seen before", raw + f"  (UID {max_uid} seen)".encode(),
                         command)
        if uids and min(uids) < max_uidnext and max_uidnext:
            self.finding("assigned UID below an earlier UIDNEXT", raw + f"  (UIDNEXT {max_uidnext} seen)".encode(),
                         command)
        self.observe_uids(mailbox, uids, raw, command)

    def on_code(self, response: Response, command: Command) -> None:
        code, args, raw = response.code, response.code_args, response.raw
        selecting = command.base in ("SELECT", "EXAMINE")
        target = unquote(command.text.split(b" ")[1]) if selecting else self.mailbox
        if code == "UIDVALIDITY" and selecting:
            self.check_uidvalidity(target, args, raw, command)
        elif code == "UIDNEXT" and selecting:
            self.check_uidnext(target, args, raw, command)
        elif code == "HIGHESTMODSEQ" and (selecting or self.mailbox):
            self.check_highestmodseq(target, args, raw, command)
        elif code == "APPENDUID":
            destination = unquote(command.text.split(b" ")[1])
            self.check_uidvalidity(destination, args[0], raw, command)
            self.check_new_uids(destination, expand(args[1]), raw, command)
        elif code == "COPYUID":
            destination = unquote(command.text.split(b" ")[-1])
            self.check_uidvalidity(destination, args[0], raw, command)
            source, target_uids = expand(args[1]), expand(args[2])
            if len(source) != len(target_uids):
                self.finding("COPYUID sets differ in size", raw, command)
            self.check_new_uids(destination, target_uids, raw, command)

    def on_exists(self, response: Response, command: Command) -> None:
        if self.mailbox is None and command.base not in ("SELECT", "EXAMINE"):
            self.finding("EXISTS while not selected", response.raw, command)
            return
        if response.number < self.exists:
            self.finding("EXISTS decreased without EXPUNGE",
                         response.raw + f"  (EXISTS was {self.exists})".encode(), command)
            del self.uids[response.number:]
            del self.flags[response.number:]
        else:
            self.uids.extend([None] * (response.number - self.exists))
            self.flags.extend([None] * (response.number - self.exists))
        self.exists = response.number

    def on_expunge(self, response: Response, command: Command) -> None:
        if command.base in ("FETCH", "STORE", "SEARCH") and not command.uid:
            self.finding(f"EXPUNGE during {command.base}", response.raw, command)
        if not 1 <= response.number <= self.exists:
            self.finding("EXPUNGE beyond EXISTS", response.raw + f"  (EXISTS {self.exists})".encode(), command)
            return
        del self.uids[response.number - 1]
        del self.flags[response.number - 1]
        self.exists -= 1

    def on_fetch(self, response: Response, command: Command) -> None:
        number, items, raw = response.number, response.items, response.raw
        if self.mailbox is None:
            self.finding("FETCH while not selected", raw, command)
            return
        if not 1 <= number <= self.exists:
            self.finding("FETCH beyond EXISTS", raw + f"  (EXISTS {self.exists})".encode(), command)
            return
        index = number - 1
        uid = items.get("UID")
        if uid is not None:
            known = self.uids[index]
            if known is not None and known != uid:
                self.finding("UID of a sequence number changed", raw + f"  (UID was {known})".encode(), command)
            elif known is None:
                lower = next((u for u in reversed(self.uids[:index]) if u is not None), None)
                higher = next((u for u in self.uids[index + 1:] if u is not None), None)
                if (lower is not None and lower >= uid) or (higher is not None and higher <= uid):
                    self.finding("UIDs not ascending with sequence numbers",
                                 raw + f"  (neighbours {lower}, {higher})".encode(), command)
            self.uids[index] = uid
            self.observe_uids(self.mailbox, [uid], raw, command)
        flags = items.get("FLAGS")
        if flags is not None:
            unknown = [flag for flag in flags if not flag.startswith("\\") and flag.lower() not in self.keywords]
            if any(not flag.startswith("\\") for flag in flags):
                self.run.checked["FETCH with keywords"] += 1
            if unknown:
                self.finding("keyword used before FLAGS announced it",
                             raw + f"  (FLAGS had {len(self.keywords)} keywords, not {' '.join(unknown)})".encode(),
                             command)
            self.flags[index] = norm(flags)
        modseq = items.get("MODSEQ")
        uid = self.uids[index]
        if modseq is not None and uid is not None:
            self.note(self.mailbox, modseq=modseq)
            seen = self.message_modseqs[self.mailbox].get(uid)
            if seen is not None:
                if modseq < seen[0]:
                    self.finding("MODSEQ of a message went backwards", raw + f"  (was {seen[0]})".encode(), command)
                elif modseq == seen[0] and flags is not None and seen[1] is not None and norm(flags) != seen[1]:
                    self.finding("flags changed without a new MODSEQ",
                                 raw + f"  (at MODSEQ {modseq}: {' '.join(sorted(seen[1]))})".encode(), command)
            if seen is None or modseq >= seen[0]:
                self.message_modseqs[self.mailbox][uid] = (
                    modseq, norm(flags) if flags is not None else (seen[1] if seen and seen[0] == modseq else None))

    def on_status(self, response: Response, command: Command) -> None:
        mailbox, items, raw = response.mailbox, response.items, response.raw
        if "UIDVALIDITY" in items:
            self.check_uidvalidity(mailbox, items["UIDVALIDITY"], raw, command)
        if "UIDNEXT" in items:
            self.check_uidnext(mailbox, items["UIDNEXT"], raw, command)
        if "HIGHESTMODSEQ" in items:
            self.check_highestmodseq(mailbox, items["HIGHESTMODSEQ"], raw, command)

    # ------------------------------------------------------------------ the workload

    def some_flags(self) -> list[str]:
        words = self.run.vocabulary.current()
        pool = ["\\Seen", "\\Flagged", "\\Answered", "\\Draft"] + words
        chosen = self.rng.sample(pool, self.rng.randint(1, min(3, len(pool))))
        if self.rng.random() < 0.5:  # the newest keywords more often: they are the ones not yet announced
            chosen.append(words[-1])
        return sorted(set(chosen), key=chosen.index)

    def random_seqs(self, at_most: int = 8) -> list[int]:
        start = self.rng.randint(1, self.exists)
        end = min(self.exists, start + self.rng.randint(0, at_most - 1))
        return list(range(start, end + 1))

    def random_uids(self) -> str:
        known = [uid for uid in self.uids if uid is not None]
        choice = self.rng.random()
        if not known or choice < 0.2:
            return "1:*"
        if choice < 0.4:
            return f"{self.rng.choice(known)}:*"
        return seqset(self.rng.sample(known, min(len(known), self.rng.randint(1, 6))))

    def other_mailbox(self) -> str:
        return self.rng.choice([name for name in self.user.mailboxes if name != self.mailbox] or self.user.mailboxes)

    async def select(self, mailbox: str | None = None, examine: bool | None = None) -> None:
        mailbox = mailbox or self.rng.choice(self.user.mailboxes)
        examine = self.rng.random() < 0.2 if examine is None else examine
        verb = b"EXAMINE" if examine else b"SELECT"
        suffix = b""
        if self.condstore is None:
            suffix, self.condstore = b" (CONDSTORE)", True
        self.deselect()
        self.mailbox = mailbox  # untagged responses from now on describe the new mailbox
        await self.command(verb.decode(), verb + b" " + quote(mailbox) + suffix)

    async def step(self) -> None:
        if self.mailbox is None:
            await self.select()
            return
        low, high = self.run.low_water, self.run.high_water
        writable = not self.readonly
        choices = [("FETCH", 14 if self.exists else 0), ("UID FETCH", 10), ("NOOP", 4), ("IDLE", 4 if "IDLE" in self.capabilities else 0),
                   ("STATUS", 4), ("SEARCH", 3 if self.exists else 0), ("UID SEARCH", 2), ("SELECT", 4),
                   ("APPEND", 20 if self.exists < low else 2 if self.exists > high else 7),
                   ("COPY", (4 if self.exists < high else 1) if self.exists else 0),
                   ("STORE", 10 * writable if self.exists else 0), ("UID STORE", 8 * writable if self.exists else 0),
                   ("MOVE", 4 * writable if self.exists and "MOVE" in self.capabilities else 0),
                   ("DELETE", (20 if self.exists > high else 3) * writable if self.exists else 0),
                   ("EXPUNGE", (6 if self.exists > high else 2) * writable),
                   ("UID EXPUNGE", (6 if self.exists > high else 2) * writable if "UIDPLUS" in self.capabilities else 0)]
        kind = self.rng.choices([name for name, _ in choices], [weight for _, weight in choices])[0]
        await getattr(self, "do_" + kind.lower().replace(" ", "_"))()

    async def do_fetch(self) -> None:
        items = ["FLAGS"] + self.rng.sample(["UID", "ENVELOPE", "BODY.PEEK[HEADER]", "RFC822.SIZE", "INTERNALDATE"],
                                            self.rng.randint(0, 2))
        if self.condstore and self.rng.random() < 0.5:
            items.append("MODSEQ")
        seqs = seqset(self.random_seqs()) if self.rng.random() < 0.9 else "1:*"
        await self.command("FETCH", f"FETCH {seqs} ({' '.join(items)})".encode(), allow_no=("EXPUNGEISSUED",))

    async def do_uid_fetch(self) -> None:
        items = ["FLAGS"] + self.rng.sample(["ENVELOPE", "BODY.PEEK[HEADER]", "RFC822.SIZE"], self.rng.randint(0, 1))
        if self.condstore and self.rng.random() < 0.5:
            items.append("MODSEQ")
        uids = self.random_uids()
        if uids.endswith("*") and "BODY.PEEK[HEADER]" in items:
            items.remove("BODY.PEEK[HEADER]")
        await self.command("UID FETCH", f"UID FETCH {uids} ({' '.join(items)})".encode(),
                           allow_no=("EXPUNGEISSUED",))

    def store_text(self, target: str) -> str:
        operation = self.rng.choices(["+FLAGS", "-FLAGS", "FLAGS"], [5, 3, 1])[0]
        silent = ".SILENT" if self.rng.random() < 0.15 else ""
        return f"{target} {operation}{silent} ({' '.join(self.some_flags())})"

    def forget_flags(self, seqs: list[int]) -> None:
        """After STORE .SILENT the server reports nothing for our own change: those flags are unknown now."""
        for seq in seqs:
            if 1 <= seq <= self.exists:
                self.flags[seq - 1] = None

    async def do_store(self) -> None:
        seqs = self.random_seqs()
        text = self.store_text(seqset(seqs))
        await self.command("STORE", f"STORE {text}".encode(), allow_no=("EXPUNGEISSUED",))
        if ".SILENT" in text:
            self.forget_flags(seqs)

    async def do_uid_store(self) -> None:
        uids = self.random_uids()
        text = self.store_text(uids)
        await self.command("UID STORE", f"UID STORE {text}".encode(), allow_no=("EXPUNGEISSUED",))
        if ".SILENT" in text:
            self.forget_flags(range(1, self.exists + 1))

    async def do_delete(self) -> None:
        """Marks a run of messages \\Deleted (an ordinary STORE; EXPUNGE follows some time later)."""
        seqs = self.random_seqs(12)
        await self.command("STORE", f"STORE {seqset(seqs)} +FLAGS (\\Deleted)".encode(), allow_no=("EXPUNGEISSUED",))

    async def do_append(self) -> None:
        mailbox = self.mailbox if self.rng.random() < 0.6 else self.other_mailbox()
        flags = self.some_flags() if self.rng.random() < 0.8 else []
        flag_text = f" ({' '.join(flags)})" if flags else ""
        await self.command("APPEND", b"APPEND " + quote(mailbox) + flag_text.encode(), literal=self.run.message(self.rng))

    async def do_copy(self) -> None:
        target = self.other_mailbox() if self.rng.random() < 0.8 else self.mailbox
        if self.rng.random() < 0.5:
            await self.command("COPY", f"COPY {seqset(self.random_seqs(4))} ".encode() + quote(target),
                               allow_no=("EXPUNGEISSUED",))
        else:
            await self.command("UID COPY", f"UID COPY {self.random_uids() if self.rng.random() < 0.3 else seqset(self.known_uids(4))} ".encode()
                               + quote(target), allow_no=("EXPUNGEISSUED",))

    def known_uids(self, at_most: int) -> list[int]:
        known = [uid for uid in self.uids if uid is not None]
        return self.rng.sample(known, min(len(known), self.rng.randint(1, at_most))) if known else [1]

    async def do_move(self) -> None:
        target = self.other_mailbox()
        if self.rng.random() < 0.5:
            await self.command("MOVE", f"MOVE {seqset(self.random_seqs(3))} ".encode() + quote(target),
                               allow_no=("EXPUNGEISSUED",))
        else:
            await self.command("UID MOVE", f"UID MOVE {seqset(self.known_uids(3))} ".encode() + quote(target),
                               allow_no=("EXPUNGEISSUED",))

    async def do_expunge(self) -> None:
        await self.command("EXPUNGE", b"EXPUNGE")

    async def do_uid_expunge(self) -> None:
        deleted = [uid for uid, flags in zip(self.uids, self.flags)
                   if uid is not None and flags is not None and "\\deleted" in flags]
        uids = seqset(deleted) if deleted and self.rng.random() < 0.8 else self.random_uids()
        await self.command("UID EXPUNGE", f"UID EXPUNGE {uids}".encode())

    async def do_idle(self) -> None:
        await self.command("IDLE", b"IDLE", idle=self.rng.uniform(0.05, 1.5))

    async def do_noop(self) -> None:
        await self.command("NOOP", b"NOOP")

    async def do_status(self) -> None:
        items = "MESSAGES UIDNEXT UIDVALIDITY UNSEEN" + (" HIGHESTMODSEQ" if "CONDSTORE" in self.capabilities else "")
        mailbox = self.other_mailbox() if self.rng.random() < 0.8 else self.mailbox
        await self.command("STATUS", b"STATUS " + quote(mailbox) + f" ({items})".encode())

    def search_key(self) -> str:
        return self.rng.choice(["UNSEEN", "FLAGGED", "DELETED", "ALL", f"KEYWORD {self.rng.choice(self.run.vocabulary.current())}",
                                "NOT SEEN FLAGGED", "SUBJECT stress"])

    async def do_search(self) -> None:
        await self.command("SEARCH", f"SEARCH {self.search_key()}".encode())

    async def do_uid_search(self) -> None:
        await self.command("UID SEARCH", f"UID SEARCH {self.search_key()}".encode())

    async def do_select(self) -> None:
        await self.select()

    # ------------------------------------------------------------------ checkpoints

    async def catch_up(self) -> dict | None:
        """NOOP, then (when selected) UID FETCH 1:* (FLAGS): the view after NOOP must already be the mailbox's
        state, which the full fetch shows. Returns that state for the comparison between sessions."""
        await self.command("NOOP", b"NOOP")
        if self.mailbox is None:
            return None
        before_exists, before_uids, before_flags = self.exists, list(self.uids), list(self.flags)
        before_keywords = set(self.keywords)
        command = await self.command("UID FETCH", b"UID FETCH 1:* (FLAGS)")
        changes = [r for r in command.untagged if r.kind in ("EXISTS", "EXPUNGE")]
        if changes:
            self.finding("EXISTS/EXPUNGE only after the catch-up NOOP", changes[0].raw, command)
        if self.keywords - before_keywords:
            # Legal (FLAGS only has to come before the first response using a keyword) but not Dovecot's way,
            # which announces new keywords at the NOOP: a note, not a finding.
            late = next(r for r in command.untagged if r.kind == "FLAGS")
            self.run.findings.add("new keywords announced only after the catch-up NOOP", self,
                                  late.raw + f"  (new: {' '.join(sorted(self.keywords - before_keywords))})".encode(),
                                  command.shown(), note=True)
        fetched = {r.number: r.items for r in command.untagged if r.kind == "FETCH"}
        if sorted(fetched) != list(range(1, self.exists + 1)):
            self.finding("UID FETCH 1:* did not return every message",
                         f"got {seqset(fetched) or 'none'} of EXISTS {self.exists}", command)
        if before_exists == self.exists:
            for index in range(self.exists):
                got = fetched.get(index + 1, {})
                if before_uids[index] is not None and got.get("UID") not in (None, before_uids[index]):
                    pass  # reported by on_fetch as a changed UID
                if before_flags[index] is not None and "FLAGS" in got and norm(got["FLAGS"]) != before_flags[index]:
                    self.finding("flags in the view differ from the mailbox after the catch-up NOOP",
                                 f"seq {index + 1} UID {got.get('UID')}: view {' '.join(sorted(before_flags[index]))}"
                                 f" / mailbox {' '.join(sorted(norm(got['FLAGS'])))}", command)
                    break
        return {"mailbox": self.mailbox, "exists": self.exists, "uids": list(self.uids), "flags": list(self.flags),
                "modseqs": {number: items.get("MODSEQ") for number, items in fetched.items()}}

    async def logout(self) -> None:
        try:
            async with asyncio.timeout(30):
                await self.command("LOGOUT", b"LOGOUT")
        except (Dropped, TimeoutError, ConnectionError):
            pass
        self.close()


def shorten(line: bytes) -> str:
    """One transcript line: the first line of a response (a literal's text left out), at most 300 characters."""
    first, _, rest = line.partition(b"\r\n")
    text = first[:300].decode("utf-8", "replace")
    return text + (" …" if rest.strip() or len(first) > 300 else "")


def quote(text: str) -> bytes:
    return b'"' + text.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"'


def unquote(value: bytes) -> str:
    text = value.decode()
    return text[1:-1].replace('\\"', '"').replace("\\\\", "\\") if text.startswith('"') else text


def expand(uidset: str) -> list[int]:
    numbers = []
    for part in str(uidset).split(","):
        if ":" in part:
            low, high = sorted(int(x) for x in part.split(":"))
            numbers.extend(range(low, high + 1))
        elif part:
            numbers.append(int(part))
    return numbers


# ----------------------------------------------------------------------------------------------- the run

class Run:
    def __init__(self, host: str, port: int, users: list[str], password: str, clients: int, seconds: float,
                 checkpoint_every: float = 10, seed: int | None = None, mailboxes: tuple[str, ...] = ("INBOX", "Work"),
                 keywords: int = 24, condstore_share: float = 0.4, command_timeout: float = 120,
                 low_water: int = 15, high_water: int = 120, initial: int = 20, verbose: bool = False):
        self.host, self.port, self.password = host, port, password
        self.seconds, self.checkpoint_every = seconds, checkpoint_every
        self.seed = seed if seed is not None else random.randrange(1 << 30)
        self.rng = random.Random(self.seed)
        self.vocabulary = Vocabulary(self.rng, keywords, seconds)
        self.users = [User(name, list(mailboxes)) for name in users]
        self.clients = clients
        self.condstore_share = condstore_share
        self.command_timeout = command_timeout
        self.low_water, self.high_water, self.initial = low_water, high_water, initial
        self.findings = Findings(verbose)
        self.commands: collections.Counter = collections.Counter()
        self.checked: collections.Counter = collections.Counter()  # responses and facts the rules looked at
        self.checkpoints = 0
        self.messages = 0

    def message(self, rng: random.Random) -> bytes:
        self.messages += 1
        words = ["alpha", "report", "meeting", "stress", "lunch", "invoice", "draft", "release", "notes", "weekly"]
        subject = " ".join(rng.sample(words, 3))
        name = rng.choice(["Ann Example", "Joe \"JJ\" Bloggs", "Zoë Tester", "", "Real, Name"])
        sender = f'"{name.replace(chr(34), "")}" <sender{rng.randint(1, 9)}@example.org>' if name else "sender@example.org"
        body = "\r\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) for _ in range(rng.randint(1, 20)))
        return (f"From: {sender}\r\nTo: stress@example.com\r\nSubject: {subject} {self.messages}\r\n"
                f"Date: Sat, 05 Dec 2026 08:{rng.randint(0, 59):02d}:00 +0000\r\n"
                f"Message-ID: <stress-{self.seed}-{self.messages}@example.org>\r\nMIME-Version: 1.0\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()

    async def prepare(self, user: User) -> None:
        """Creates the mailboxes and tops each up to `initial` messages (works on a server that already has mail)."""
        session = Session(self, user, 0)
        await session.connect()
        for mailbox in user.mailboxes:
            if mailbox.upper() != "INBOX":
                await session.command("CREATE", b"CREATE " + quote(mailbox), allow_no=("ALREADYEXISTS",))
            status = await session.command("STATUS", b"STATUS " + quote(mailbox) + b" (MESSAGES)")
            have = next((r.items.get("MESSAGES", 0) for r in status.untagged if r.kind == "STATUS"), 0)
            for _ in range(max(0, self.initial - have)):
                flags = " ".join(session.some_flags()) if session.rng.random() < 0.5 else ""
                await session.command("APPEND", b"APPEND " + quote(mailbox) + (f" ({flags})".encode() if flags else b""),
                                      literal=self.message(session.rng))
        await session.logout()

    async def session_loop(self, session: Session, deadline: float) -> None:
        try:
            while True:
                if session.user.pausing:
                    await session.user.park(session)
                if time.monotonic() >= deadline:
                    return
                try:
                    if session.reader is None:
                        await session.connect()
                    await session.step()
                except (Dropped, OSError) as error:
                    session.finding("connection dropped", str(error))
                    session.close()
                    await asyncio.sleep(0.5)
                except Exception as error:  # a bug of this tester: reported, and the run goes on
                    session.finding("tester error", f"{type(error).__name__}: {error}")
                    session.close()
        finally:
            session.finished = True
            session.user.note_parked()

    async def checkpoint(self, user: User, final: bool = False) -> None:
        """Pauses every session of the user at a command boundary, lets each catch up and compares the views."""
        if not final:
            user.parked, user.pausing = set(), True
            user.resume.clear()
            user.all_parked.clear()
            user.note_parked()
            await user.all_parked.wait()
        try:
            sessions = [s for s in user.sessions if s.reader is not None]
            results = await asyncio.gather(*(self.catch_up(s) for s in sessions))
            views = [(s, r) for s, r in zip(sessions, results) if r is not None]
            self.compare(user, views)
            if sessions and sessions[0].reader is not None:
                await self.compare_status(sessions[0], views)
            self.checkpoints += 1
        finally:
            user.pausing = False
            user.resume.set()

    async def catch_up(self, session: Session) -> dict | None:
        try:
            return await session.catch_up()
        except (Dropped, OSError) as error:
            session.finding("connection dropped", str(error))
            session.close()
            return None

    async def compare_status(self, session: Session, views: list[tuple[Session, dict]]) -> None:
        """STATUS of each mailbox, asked once all sessions caught up, must count what their views show."""
        for mailbox in session.user.mailboxes:
            try:
                command = await session.command("STATUS", b"STATUS " + quote(mailbox) + b" (MESSAGES UIDNEXT)")
            except Dropped as error:
                session.finding("connection dropped", str(error))
                session.close()
                return
            status = next((r for r in command.untagged if r.kind == "STATUS"), None)
            view = next((v for _, v in views if v["mailbox"] == mailbox), None)
            if status is None or view is None:
                continue
            messages, uidnext = status.items.get("MESSAGES"), status.items.get("UIDNEXT", 0)
            if messages != view["exists"] or any(uid is not None and uid >= uidnext for uid in view["uids"]):
                self.findings.add("STATUS disagrees with the views at a checkpoint", session,
                                  f"{shorten(status.raw)} vs EXISTS {view['exists']}, highest UID "
                                  f"{max((u for u in view['uids'] if u), default=0)}", command.shown())

    def compare(self, user: User, views: list[tuple[Session, dict]]) -> None:
        by_mailbox: dict[str, list[tuple[Session, dict]]] = collections.defaultdict(list)
        for session, view in views:
            by_mailbox[view["mailbox"]].append((session, view))
        for mailbox, group in by_mailbox.items():
            first_session, first = group[0]
            for session, view in group[1:]:
                what = None
                if view["exists"] != first["exists"]:
                    what = f"EXISTS {view['exists']} vs {first['exists']} in {first_session.id}"
                elif view["uids"] != first["uids"]:
                    diff = sorted(set(view["uids"]) ^ set(first["uids"]), key=lambda u: u or 0)[:10]
                    what = f"UIDs differ from {first_session.id}'s: {diff}"
                else:
                    for index, (mine, theirs) in enumerate(zip(view["flags"], first["flags"])):
                        if mine != theirs:
                            what = (f"UID {view['uids'][index]}: {' '.join(sorted(mine or []))} vs "
                                    f"{' '.join(sorted(theirs or []))} in {first_session.id}")
                            break
                    else:
                        for number, modseq in view["modseqs"].items():
                            other = first["modseqs"].get(number)
                            if modseq is not None and other is not None and modseq != other:
                                what = f"seq {number} MODSEQ {modseq} vs {other} in {first_session.id}"
                                break
                if what:
                    self.findings.add("views of a mailbox disagree at a checkpoint", session, f"{mailbox}: {what}",
                                      "checkpoint")

    async def checkpoints_of(self, user: User, deadline: float, offset: float) -> None:
        await asyncio.sleep(offset)
        while time.monotonic() + self.checkpoint_every < deadline:
            await asyncio.sleep(self.checkpoint_every)
            if time.monotonic() < deadline - 2:
                await self.checkpoint(user)

    async def run(self) -> None:
        await asyncio.gather(*(self.prepare(user) for user in self.users))
        for index in range(self.clients):
            user = self.users[index % len(self.users)]
            user.sessions.append(Session(self, user, len(user.sessions) + 1))
        deadline = time.monotonic() + self.seconds
        loops = [asyncio.create_task(self.session_loop(s, deadline)) for u in self.users for s in u.sessions]
        coordinators = [asyncio.create_task(self.checkpoints_of(u, deadline, i * self.checkpoint_every / len(self.users)))
                        for i, u in enumerate(self.users)]
        await asyncio.gather(*loops)
        for task in coordinators:
            task.cancel()
        await asyncio.gather(*coordinators, return_exceptions=True)
        for user in self.users:
            await self.checkpoint(user, final=True)
        await asyncio.gather(*(s.logout() for u in self.users for s in u.sessions if s.reader is not None))

    def summary(self, examples: int = 3, context: bool = False) -> str:
        lines = [f"seed {self.seed}, {self.clients} clients on {len(self.users)} users, {self.seconds:g} s, "
                 f"{sum(self.commands.values())} commands, {self.checkpoints} checkpoints"]
        lines.append("commands: " + ", ".join(f"{kind} {count}" for kind, count in sorted(self.commands.items())))
        lines.append("checked: " + ", ".join(f"{kind} {count}" for kind, count in sorted(self.checked.items())))
        if not self.findings.by_kind:
            lines.append("findings: 0")
        sections = [(kind, found, "") for kind, found in sorted(self.findings.by_kind.items(), key=lambda i: -len(i[1]))]
        sections += [(kind, found, " (note: legal, but Dovecot differs; not counted)")
                     for kind, found in self.findings.notes.items()]
        for kind, found, remark in sections:
            lines.append(f"{len(found):6d}  {kind}{remark}")
            for finding in found[:examples]:
                lines.append(f"          [{finding.session}] {finding.response}")
                lines.append(f"              after: {finding.command}")
                if context:
                    lines.extend(f"                {line}" for line in finding.context)
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {"seed": self.seed, "commands": dict(self.commands), "checkpoints": self.checkpoints,
                "checked": dict(self.checked),
                "findings": {kind: [dataclasses.asdict(f) for f in found] for kind, found in self.findings.by_kind.items()},
                "notes": {kind: [dataclasses.asdict(f) for f in found] for kind, found in self.findings.notes.items()}}


# ----------------------------------------------------------------------------------------------- servers

def start_server(args, users: list[str], work: pathlib.Path):
    """Starts ObjectMail (posix or SeaweedFS) or a private Dovecot with bench/suite/servers.py; returns
    (server, stop callback)."""
    sys.path.insert(0, str(REPO / "bench" / "suite"))
    import servers  # noqa: E402  (also puts Tests/EndToEnd on the path for conftest's helpers)
    from conftest import start_seaweedfs, stop_seaweedfs  # noqa: E402
    stops = []
    if args.server == "dovecot":
        os.chmod(work, 0o755)  # Dovecot's mail processes run as nobody
        server = servers.Dovecot(work / "dovecot", users)
        config = server.config.read_text().replace("mail_max_userip_connections = 20",
                                                   f"mail_max_userip_connections = {args.clients + 10}")
        server.config.write_text(config)
        server.start()
    else:
        binary = args.binary or os.environ.get("OBJECTMAIL_BIN") or subprocess.run(
            ["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip() + "/objectmail"
        s3_url = ""
        if args.store == "s3":
            s3_url = args.s3_url or os.environ.get("OBJECTMAIL_TEST_S3_URL", "")
            if not s3_url:
                weed = work / "seaweedfs"
                s3_url = start_seaweedfs(weed)["OBJECTMAIL_TEST_S3_URL"]
                stops.append(lambda: stop_seaweedfs(weed))
        server = servers.ObjectMail(os.path.abspath(binary), work / "objectmail", users, s3_url=s3_url)
        # every stress session of a user comes from 127.0.0.1: lift the per user+IP session limit for them
        (server.root / "users").write_text("".join(
            f"{user}:{{PLAIN}}{servers.PASSWORD}::::::userdb_mail_max_userip_connections=0\n" for user in users))
        server.start()
    args.password = servers.PASSWORD

    def stop() -> None:
        server.stop()
        for callback in stops:
            callback()
    return server, stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--checkpoint-every", type=float, default=10, help="seconds between a user's checkpoints")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--keywords", type=int, default=24, help="keywords in use by the end of the run")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=143)
    parser.add_argument("--user-template", default="stress{n}@example.com", help="user names, {n} from 1")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--server", choices=["none", "objectmail", "dovecot"], default="none",
                        help="start a private server on free loopback ports (bench/suite/servers.py) instead of --host/--port")
    parser.add_argument("--store", choices=["posix", "s3"], default="posix", help="ObjectMail's store (s3: SeaweedFS)")
    parser.add_argument("--s3-url", help="an existing S3 bucket URL for --store s3 (default: start SeaweedFS)")
    parser.add_argument("--binary", help="the objectmail binary (default $OBJECTMAIL_BIN or swift build's)")
    parser.add_argument("--work", type=pathlib.Path, help="the server's directory (default: a new one under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the server's directory")
    parser.add_argument("--examples", type=int, default=3, help="examples printed per finding class")
    parser.add_argument("--context", action="store_true", help="print each example's last lines of the session")
    parser.add_argument("--json", type=pathlib.Path, help="write commands and all findings (with context) here")
    parser.add_argument("--verbose", action="store_true", help="print findings as they happen")
    args = parser.parse_args()
    if args.seconds <= 0 or args.seconds > 24 * 3600 or args.clients < 1 or args.users < 1:
        parser.error("--seconds must be in (0, 86400], --clients and --users at least 1")
    users = [args.user_template.format(n=n) for n in range(1, args.users + 1)]
    stop = None
    work = None
    if args.server != "none":
        work = args.work or pathlib.Path(tempfile.mkdtemp(prefix="imap-stress-"))
        work.mkdir(parents=True, exist_ok=True)
        server, stop = start_server(args, users, work)
        args.host, args.port = "127.0.0.1", server.imap_port
        print(f"{args.server}{' on ' + args.store if args.server == 'objectmail' else ''}: IMAP on {args.port}, "
              f"files in {work}", file=sys.stderr)
    run = Run(args.host, args.port, users, args.password, args.clients, args.seconds, args.checkpoint_every, args.seed,
              keywords=args.keywords, verbose=args.verbose)
    try:
        asyncio.run(run.run())
    finally:
        if stop:
            stop()
        if work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(run.summary(args.examples, args.context))
    if args.json:
        args.json.write_text(json.dumps(run.as_json(), indent=1))
    return 1 if run.findings.count() else 0


if __name__ == "__main__":
    sys.exit(main())
