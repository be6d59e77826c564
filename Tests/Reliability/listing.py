"""Every message each user has, by folder, as the server shows it over IMAP: the Message-ID of each (None when a
message has none), so the ledger can count copies. Folders are found with LIST, so a `Recovered/…` folder the
server made up is seen too. Temporary refusals (an injected store failure) are retried."""
import imaplib
import re
import time

from .cluster import PASSWORD
from .envelope import FETCH_ITEMS, uids_and_message_ids

LIST_LINE = re.compile(rb'^\(([^)]*)\) (?:"[^"]*"|NIL) (.+)$')


def folder_names(client: imaplib.IMAP4) -> list[str]:
    typ, data = client.list()
    if typ != "OK":
        raise RetryLater(f"LIST {typ} {data!r}")
    names = []
    items = iter(data)
    for item in items:
        if isinstance(item, tuple):  # a name sent as a literal
            attributes, name = LIST_LINE.match(item[0].rstrip()).group(1), item[1]
        else:
            match = LIST_LINE.match(item)
            attributes, name = match.group(1), match.group(2)
            if name.startswith(b'"'):
                name = name[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
        if b"\\noselect" not in attributes.lower() and b"\\nonexistent" not in attributes.lower():
            names.append(name.decode())
    return names


class RetryLater(Exception):
    pass


def message_ids(client: imaplib.IMAP4, folder: str) -> list:
    typ, data = client.select(f'"{folder}"', readonly=True)
    if typ != "OK":
        raise RetryLater(f"EXAMINE {folder}: {typ} {data!r}")
    if int(data[0]) == 0:
        return []
    typ, data = client.uid("FETCH", "1:*", FETCH_ITEMS)
    if typ != "OK":
        raise RetryLater(f"FETCH {folder}: {typ} {data!r}")
    return [message_id for _, message_id in uids_and_message_ids(data)]


def user_listing(port: int, user: str, timeout: float = 120, attempts: int = 20) -> dict[str, list]:
    last = None
    for attempt in range(attempts):
        client = None
        try:
            client = imaplib.IMAP4("127.0.0.1", port, timeout=timeout)
            client.login(user, PASSWORD)
            listing = {folder: message_ids(client, folder) for folder in folder_names(client)}
            client.logout()
            return listing
        except (RetryLater, imaplib.IMAP4.error, OSError, EOFError) as error:
            last = error
            if client is not None:
                try:
                    client.shutdown()
                except OSError:
                    pass
            time.sleep(min(5, 0.5 * (attempt + 1)))
    raise AssertionError(f"could not list {user}'s mail after {attempts} attempts: {last}")


def listing(server, users: list[str]) -> dict[str, dict[str, list]]:
    return {user: user_listing(server.imap_port, user) for user in users}
