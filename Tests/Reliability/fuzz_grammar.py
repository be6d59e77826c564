"""Structure-aware inputs for the IMAP, POP3 and LMTP command parsers: valid commands drawn from each grammar
(sequence sets, flags, mailbox names, FETCH attributes, SEARCH keys, literals in all three forms, SMTP paths and
parameters), then mutated with bytes a parser must survive: control characters, NUL, bare CR/LF, 8-bit bytes,
huge numbers and literal lengths, deep parentheses, long atoms, truncation and splicing."""
import base64
import random

HUGE = ["4294967295", "4294967296", "18446744073709551615", "99999999999999999999999", "-1", "0", "2147483648",
        "9" * 400]
CONTROL = [b"\x00", b"\r", b"\n", b"\x7f", b"\xff", b"\x1b", b"\x08", b"\xc3\x28", b"\xf0\x9f\x92\xa9", b"\t"]


def pick(rng: random.Random, items):
    return rng.choice(items)


# -------------------------------------------------------------------------------------------------------- IMAP

def imap_string(rng, text: bytes) -> bytes:
    form = rng.random()
    if form < 0.5:
        return text if text and all(33 < c < 127 and c not in b'(){%*"\\]' for c in text) else b'"' + text.replace(b'"', b'\\"') + b'"'
    if form < 0.75:
        return b'"' + text.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    plus = pick(rng, [b"", b"+", b"-"])
    prefix = b"~" if rng.random() < 0.1 else b""
    return prefix + b"{%d%s}\r\n" % (len(text), plus) + text


def sequence_set(rng) -> bytes:
    parts = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.4:
            parts.append(str(rng.randint(1, 20)))
        elif kind < 0.6:
            parts.append(f"{rng.randint(1, 10)}:{pick(rng, ['*', str(rng.randint(1, 30))])}")
        elif kind < 0.7:
            parts.append("*")
        elif kind < 0.8:
            parts.append("$")
        else:
            parts.append(f"{pick(rng, HUGE)}:{pick(rng, HUGE + ['*'])}")
    return ",".join(parts).encode()


def mailbox(rng) -> bytes:
    name = pick(rng, [b"INBOX", b"inbox", b"Fuzz", b"Fuzz/sub", b"&AOk-t&AOk-", b"Fuzz/" + b"x" * rng.randint(1, 300),
                      b"..", b"a/../b", b"%", b"*", b"", b"Trash", b"Fuzz//x", b"\xc3\xa9t\xc3\xa9", b"&Jjo-!"])
    return imap_string(rng, name)


FLAGS = [b"\\Seen", b"\\Deleted", b"\\Flagged", b"\\Answered", b"\\Draft", b"\\Recent", b"$Forwarded", b"$Junk",
         b"\\*", b"\\Unknown", b"kw" + b"k" * 50, b"NonJunk"]


def flag_list(rng) -> bytes:
    return b"(" + b" ".join(rng.sample(FLAGS, k=rng.randint(0, 4))) + b")"


SECTIONS = [b"", b"HEADER", b"TEXT", b"1", b"1.2", b"1.MIME", b"HEADER.FIELDS (Subject From)",
            b"HEADER.FIELDS.NOT (Received)", b"2.HEADER", b"4294967295", b"0", b"1.2.3.4.5.6.7.8.9"]
FETCH_ATOMS = [b"FLAGS", b"UID", b"INTERNALDATE", b"RFC822.SIZE", b"ENVELOPE", b"BODYSTRUCTURE", b"BODY", b"RFC822",
               b"RFC822.HEADER", b"RFC822.TEXT", b"MODSEQ", b"ALL", b"FAST", b"FULL", b"PREVIEW", b"EMAILID",
               b"SAVEDATE", b"X-GUID"]


def fetch_attributes(rng) -> bytes:
    items = []
    for _ in range(rng.randint(1, 5)):
        if rng.random() < 0.5:
            items.append(pick(rng, FETCH_ATOMS))
        else:
            name = pick(rng, [b"BODY", b"BODY.PEEK", b"BINARY", b"BINARY.PEEK", b"BINARY.SIZE"])
            partial = b"" if rng.random() < 0.6 else b"<%s.%s>" % (pick(rng, [b"0", b"10", HUGE[0].encode()]),
                                                                     pick(rng, [b"1", b"100", HUGE[2].encode()]))
            items.append(name + b"[" + pick(rng, SECTIONS) + b"]" + partial)
    if len(items) == 1 and rng.random() < 0.5:
        return items[0]
    return b"(" + b" ".join(items) + b")"


def search_key(rng, depth: int = 0) -> bytes:
    simple = [b"ALL", b"SEEN", b"UNSEEN", b"DELETED", b"NEW", b"OLD", b"RECENT", b"ANSWERED", b"DRAFT", b"FLAGGED"]
    choice = rng.random()
    if choice < 0.3 or depth > 3:
        return pick(rng, simple)
    if choice < 0.4:
        return b"OR " + search_key(rng, depth + 1) + b" " + search_key(rng, depth + 1)
    if choice < 0.45:
        return b"NOT " + search_key(rng, depth + 1)
    if choice < 0.5:
        return b"(" + search_key(rng, depth + 1) + b" " + search_key(rng, depth + 1) + b")"
    if choice < 0.6:
        return pick(rng, [b"SUBJECT ", b"BODY ", b"TEXT ", b"FROM ", b"TO ", b"CC "]) + imap_string(rng, b"fuzz x")
    if choice < 0.65:
        return b"HEADER " + imap_string(rng, b"Message-ID") + b" " + imap_string(rng, b"<")
    if choice < 0.75:
        return pick(rng, [b"SINCE ", b"BEFORE ", b"ON ", b"SENTSINCE "]) + pick(
            rng, [b"1-Jan-2020", b"31-Feb-2020", b"1-Foo-99999", b'"5-Dec-2026"', b"0-Jan-0"])
    if choice < 0.85:
        return pick(rng, [b"LARGER ", b"SMALLER ", b"UID ", b"MODSEQ ", b"KEYWORD ", b"OLDER ", b"YOUNGER "]) + \
            pick(rng, [sequence_set(rng), pick(rng, HUGE).encode(), b"$Junk"])
    return sequence_set(rng)


def imap_command(rng, tag: bytes, selected: bool) -> bytes:
    """One command line (with its literals) for the session's state."""
    any_state = [
        lambda: b"CAPABILITY", lambda: b"NOOP",
        lambda: b"ID " + pick(rng, [b"NIL", b'("name" "fuzz" "version" "1")', b"(" + b'"k" "v" ' * 40 + b")"]),
        lambda: b"ENABLE " + b" ".join(rng.sample([b"QRESYNC", b"CONDSTORE", b"UTF8=ACCEPT", b"IMAP4rev2", b"X"], 2)),
        lambda: b"LOGIN " + imap_string(rng, b"fuzz0@example.com") + b" " + imap_string(rng, pick(rng, [b"secret", b"bad"])),
        lambda: b"AUTHENTICATE PLAIN " + pick(rng, [b"=", base64.b64encode(b"\0fuzz0@example.com\0secret"),
                                                     base64.b64encode(b"a\0b\0c\0d"), b"****"]),
        lambda: b"AUTHENTICATE " + pick(rng, [b"LOGIN", b"XOAUTH2", b"PLAIN"]),
    ]
    authenticated = [
        lambda: pick(rng, [b"SELECT ", b"EXAMINE "]) + mailbox(rng) + pick(
            rng, [b"", b" (CONDSTORE)", b" (QRESYNC (1 1))", b" (QRESYNC (1 1 1:* (1:5 1:5)))", b" ("]),
        lambda: pick(rng, [b"CREATE ", b"DELETE ", b"SUBSCRIBE ", b"UNSUBSCRIBE "]) + mailbox(rng),
        lambda: b"CREATE " + mailbox(rng) + b" (USE (\\Junk \\Sent))",
        lambda: b"RENAME " + mailbox(rng) + b" " + mailbox(rng),
        lambda: b"LIST " + pick(rng, [b"", b"(SUBSCRIBED RECURSIVEMATCH) ", b"(SPECIAL-USE) "]) + imap_string(rng, b"")
        + b" " + pick(rng, [b"*", b"%", b"Fuzz/%", b"(INBOX Fuzz)", b'"*"'])
        + pick(rng, [b"", b" RETURN (CHILDREN STATUS (MESSAGES UIDNEXT))", b" RETURN ()"]),
        lambda: b"LSUB \"\" *",
        lambda: b"STATUS " + mailbox(rng) + b" (" + b" ".join(rng.sample(
            [b"MESSAGES", b"RECENT", b"UIDNEXT", b"UIDVALIDITY", b"UNSEEN", b"HIGHESTMODSEQ", b"SIZE", b"DELETED"], 3)) + b")",
        lambda: b"APPEND " + mailbox(rng) + b" " + flag_list(rng) + pick(rng, [b"", b' "05-Dec-2026 10:00:00 +0000"',
                                                                              b' "99-Xyz-0000 99:99:99 +9999"'])
        + b" " + imap_string(rng, b"Subject: fuzz\r\nMessage-ID: <fuzz@x>\r\n\r\nbody\r\n"),
        lambda: b"APPEND INBOX (\\Seen) CATENATE (TEXT " + imap_string(rng, b"Subject: c\r\n\r\n")
        + b" URL \"/INBOX;UIDVALIDITY=1/;UID=1/;SECTION=TEXT\")",
        lambda: b"NAMESPACE", lambda: b"GETQUOTAROOT INBOX", lambda: b"GETQUOTA \"\"",
        lambda: b"NOTIFY SET (SELECTED (MessageNew MessageExpunge)) (PERSONAL (MailboxName))",
        lambda: b"NOTIFY NONE",
    ]
    in_mailbox = [
        lambda: pick(rng, [b"", b"UID "]) + b"FETCH " + sequence_set(rng) + b" " + fetch_attributes(rng)
        + pick(rng, [b"", b" (CHANGEDSINCE 1)", b" (CHANGEDSINCE 1 VANISHED)", b" (PARTIAL 1:10)"]),
        lambda: pick(rng, [b"", b"UID "]) + b"STORE " + sequence_set(rng)
        + pick(rng, [b"", b" (UNCHANGEDSINCE 3)"]) + b" " + pick(rng, [b"+FLAGS", b"-FLAGS", b"FLAGS", b"+FLAGS.SILENT"])
        + b" " + flag_list(rng),
        lambda: pick(rng, [b"", b"UID "]) + b"SEARCH " + pick(rng, [b"", b"RETURN (MIN MAX COUNT ALL SAVE) ",
                                                                    b"CHARSET UTF-8 ", b"CHARSET KOI8-X "]) + search_key(rng),
        lambda: pick(rng, [b"", b"UID "]) + b"SORT (" + b" ".join(rng.sample(
            [b"ARRIVAL", b"DATE", b"FROM", b"SUBJECT", b"REVERSE", b"SIZE", b"DISPLAYFROM", b"CC"], 2))
        + b") UTF-8 " + search_key(rng),
        lambda: pick(rng, [b"", b"UID "]) + b"THREAD " + pick(rng, [b"REFERENCES", b"ORDEREDSUBJECT", b"REFS", b"X"])
        + b" UTF-8 " + search_key(rng),
        lambda: pick(rng, [b"", b"UID "]) + pick(rng, [b"COPY ", b"MOVE "]) + sequence_set(rng) + b" " + mailbox(rng),
        lambda: pick(rng, [b"EXPUNGE", b"UID EXPUNGE " + sequence_set(rng), b"CHECK", b"UNSELECT", b"CLOSE"]),
        lambda: b"IDLE\r\n" + pick(rng, [b"DONE", b"done", b"NOOP", b""]),
    ]
    choices = any_state + (authenticated if selected is not None else []) + (in_mailbox if selected else [])
    return tag + b" " + pick(rng, choices)()


# -------------------------------------------------------------------------------------------------------- POP3

def pop3_command(rng) -> bytes:
    number = lambda: pick(rng, [str(rng.randint(1, 5)).encode(), pick(rng, HUGE).encode(), b"", b"x", b"1 2 3"])
    return pick(rng, [
        lambda: b"USER " + pick(rng, [b"fuzz0@example.com", b"", b"a" * 600, b"fuzz1@example.com*master"]),
        lambda: b"PASS " + pick(rng, [b"secret", b"bad", b"", b"x" * 1000]),
        lambda: b"APOP fuzz0@example.com " + b"0" * 32,
        lambda: b"AUTH " + pick(rng, [b"", b"PLAIN", b"PLAIN " + base64.b64encode(b"\0fuzz0@example.com\0secret"),
                                      b"PLAIN =", b"LOGIN", b"CRAM-MD5", b"PLAIN !!!!"]),
        lambda: b"STAT", lambda: b"LIST " + number(), lambda: b"RETR " + number(), lambda: b"UIDL " + number(),
        lambda: b"TOP " + number() + b" " + number(), lambda: b"DELE " + number(), lambda: b"NOOP", lambda: b"RSET",
        lambda: b"CAPA", lambda: b"STLS", lambda: b"UTF8", lambda: b"LAST", lambda: b"XTND XMIT", lambda: b"",
    ])()


# -------------------------------------------------------------------------------------------------------- LMTP

def lmtp_commands(rng) -> list[bytes]:
    """A transaction-shaped sequence of LMTP commands (with DATA or BDAT bodies), or random single commands."""
    path = lambda: pick(rng, [b"<fuzz0@example.com>", b"<fuzz1+Fuzz@example.com>", b"<>", b"<nobody@example.com>",
                              b"<fuzz0*master@example.com>", b"<\"a b\"@example.com>", b"fuzz0@example.com",
                              b"<" + b"x" * 300 + b"@example.com>", b"<@a,@b:fuzz0@example.com>", b"<"])
    parameters = lambda: b"".join(rng.sample([b" SIZE=" + pick(rng, HUGE + ["100"]).encode(), b" BODY=8BITMIME",
                                              b" BODY=BINARYMIME", b" SMTPUTF8", b" RET=FULL", b" ENVID=x",
                                              b" ORCPT=rfc822;fuzz0@example.com", b" NOTIFY=NEVER", b" X=Y=",
                                              b" =", b"="],
                                             k=rng.randint(0, 2)))
    body = b"Subject: lmtp fuzz\r\nMessage-ID: <lmtp-fuzz@x>\r\n\r\n" + pick(
        rng, [b"body\r\n", b"..dotted\r\n.\r\n", b"bare\nlf\n", b"\x00\x01\x02\r\n", b"x" * 5000 + b"\r\n"])
    commands = [pick(rng, [b"LHLO fuzz.test", b"LHLO", b"HELO x", b"EHLO x", b"LHLO " + b"h" * 500])]
    if rng.random() < 0.7:
        commands.append(b"MAIL FROM:" + path() + parameters())
        for _ in range(rng.choice([1, 1, 2, 3, 50])):
            commands.append(b"RCPT TO:" + path() + parameters())
        if rng.random() < 0.6:
            commands.append(b"DATA\r\n" + body + pick(rng, [b".", b"", b". ", b"\r\n."]))
        else:
            size = pick(rng, [len(body), 0, 4294967295, len(body) + 10, -1])
            commands.append(b"BDAT %d%s\r\n" % (size, pick(rng, [b" LAST", b"", b" last", b" LAST X"])) + body)
    for _ in range(rng.randint(0, 3)):
        commands.append(pick(rng, [b"RSET", b"NOOP", b"VRFY fuzz0", b"XCLIENT ADDR=1.2.3.4 LOGIN=x", b"STARTTLS",
                                   b"HELP", b"DATA", b"BDAT 10", b"MAIL FROM:<>", b"RCPT TO:" + path(), b"QUIT"]))
    return commands


# -------------------------------------------------------------------------------------------------------- mutations

def mutate(rng, data: bytes) -> bytes:
    """One to three random mutations; the result may be anything."""
    for _ in range(rng.randint(1, 3)):
        position = rng.randint(0, len(data))
        kind = rng.random()
        if kind < 0.15 and data:
            index = rng.randrange(len(data))
            data = data[:index] + bytes([data[index] ^ (1 << rng.randrange(8))]) + data[index + 1:]
        elif kind < 0.3:
            data = data[:position] + pick(rng, CONTROL) + data[position:]
        elif kind < 0.4:
            data = data[:position] + data[position + rng.randint(1, 20):]
        elif kind < 0.5:
            span = data[position:position + rng.randint(1, 40)]
            data = data[:position] + span * rng.randint(2, 50) + data[position:]
        elif kind < 0.6:
            data = data[:position] + pick(rng, HUGE).encode() + data[position:]
        elif kind < 0.7:
            literal = b"{%s%s}\r\n" % (pick(rng, HUGE + ["62914560", "10", "65536"]).encode(), pick(rng, [b"", b"+"]))
            data = data[:position] + literal + data[position:]
        elif kind < 0.75:
            data = data[:position] + b"(" * rng.choice([100, 2000, 20000]) + data[position:]
        elif kind < 0.8:
            data = data[:position] + b"A" * rng.choice([1000, 70000, 300000]) + data[position:]
        elif kind < 0.85:
            data = data[:position]
        elif kind < 0.9:
            data = data[:position] + b" " * rng.randint(1, 5) + data[position:]
        elif kind < 0.95:
            data = data[:position] + b"\r\n" + data[position:]
        else:
            data = data[:position] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 30))) + data[position:]
    return data
