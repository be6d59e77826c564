"""Message-IDs read from FETCH ENVELOPE: the server answers ENVELOPE from the fields it cached at delivery, so
finding which message is which costs no store read (a BODY[HEADER.FIELDS] fetch reads objects, and under injected
read failures a listing of hundreds of messages would never complete)."""
import re

FETCH_ITEMS = "(UID ENVELOPE)"
# The envelope's last field is the Message-ID: a quoted string or NIL, then the envelope's and the FETCH's ")".
ENVELOPE = re.compile(rb"UID (\d+) ENVELOPE \(.*(?:\"(<[^\"]*>)\"|NIL)\)\)\s*$", re.S)


def uids_and_message_ids(data: list) -> list[tuple[bytes, str | None]]:
    """(UID, Message-ID or None) of each message in imaplib's FETCH answer for FETCH_ITEMS."""
    found = []
    for item in data:
        if isinstance(item, tuple):  # a literal somewhere in the envelope: join the pieces
            item = b"".join(part for part in item if isinstance(part, bytes))
        if not isinstance(item, bytes):
            continue
        match = ENVELOPE.search(item)
        if match:
            found.append((match.group(1), match.group(2).decode() if match.group(2) else None))
        elif item[:1].isdigit():  # an answer this parser does not understand: shown, never skipped
            found.append((b"", f"unparsed FETCH answer {item[:120]!r}"))
    return found
