"""The mixed load: LMTP deliveries (1–3 recipients, INBOX or `user+Work@` into Work), IMAP APPENDs, IMAP STORE and
UID EXPUNGE, POP3 reads and DELEs, each client a thread with its own seeded random generator, every save and
expunge recorded in the ledger before it is sent and updated with its answer."""
import imaplib
import poplib
import random
import re
import smtplib
import threading
import time

from .cluster import PASSWORD
from .envelope import FETCH_ITEMS, uids_and_message_ids
from .ledger import ACK, REFUSED, UNKNOWN, Ledger

FOLDERS = ["INBOX", "Work"]
CONNECTION_ERRORS = (OSError, EOFError, imaplib.IMAP4.abort, smtplib.SMTPServerDisconnected, poplib.error_proto)
MESSAGE_ID = re.compile(rb"Message-ID:\s*(<[^>\r\n]*>)", re.I)


def make_message(message_id: str, rng: random.Random) -> bytes:
    size = rng.choice([400, 1500, 4000, 12000]) if rng.random() > 0.02 else rng.randint(100_000, 400_000)
    line = b"".join(rng.choice([b"lorem ", b"ipsum ", b"dolor ", b"sit ", b"amet "]) for _ in range(12)).strip() + b"\r\n"
    body = line * max(1, size // len(line))
    return (f"From: load@example.org\r\nTo: someone@example.com\r\nSubject: reliability load\r\n"
            f"Message-ID: {message_id}\r\n\r\n").encode() + body


class Workload:
    """Starts the clients on `server`; `stop()` asks them to finish and waits for them."""

    def __init__(self, server, ledger: Ledger, users: list[str], seed: int, lmtp: int = 3, appenders: int = 2,
                 modifiers: int = 2, pop3: int = 1, timeout: float = 120, pace: float = 0.0):
        self.server, self.ledger, self.users = server, ledger, users
        self.timeout, self.pace = timeout, pace
        self.stopping = threading.Event()
        self.threads = []
        kinds = [(self.lmtp_client, lmtp), (self.append_client, appenders), (self.modify_client, modifiers),
                 (self.pop3_client, pop3)]
        index = 0
        for target, count in kinds:
            for _ in range(count):
                index += 1
                thread = threading.Thread(target=self._guard, args=(target, random.Random(seed * 1000 + index)),
                                          daemon=True, name=f"{target.__name__}-{index}")
                self.threads.append(thread)
        for thread in self.threads:
            thread.start()

    def stop(self, timeout: float = 300) -> list[str]:
        """Stops the clients; returns the names of those still running after `timeout` (hung on the server)."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        return [thread.name for thread in self.threads if thread.is_alive()]

    def _guard(self, target, rng):
        while not self.stopping.is_set():
            try:
                target(rng)
            except CONNECTION_ERRORS:
                pass  # killed server, stalled store: reconnect
            except Exception as error:  # noqa: BLE001 (a client bug must not end the load silently)
                self.ledger.count(f"client error {type(error).__name__}: {str(error)[:80]}")
            if not self.stopping.is_set():
                time.sleep(0.2 + rng.random() * 0.3)

    def _sleep(self, rng):
        if self.pace:
            time.sleep(rng.random() * self.pace)

    # ------------------------------------------------------------------------------------------------ LMTP

    def lmtp_client(self, rng):
        client = smtplib.LMTP("127.0.0.1", self.server.lmtp_port, timeout=self.timeout)
        try:
            client.ehlo("reliability.test")
            while not self.stopping.is_set():
                self.deliver(client, rng)
                self._sleep(rng)
            client.quit()
        finally:
            client.close()

    def deliver(self, client: smtplib.LMTP, rng):
        recipients = rng.sample(self.users, k=min(len(self.users), rng.choice([1, 1, 1, 2, 3])))
        folders = {user: rng.choice(FOLDERS) for user in recipients}
        message_id = self.ledger.new_message_id()
        data = make_message(message_id, rng)
        self.ledger.tried(message_id, recipients, folders.get, "lmtp")
        open_users = list(recipients)
        try:
            code, text = client.mail("sender@example.org")
            if code != 250:
                for user in recipients:
                    self.ledger.answered(user, message_id, REFUSED, f"MAIL {code} {text!r}")
                client.rset()
                return
            accepted = []
            for user in recipients:
                address = user if folders[user] == "INBOX" else user.replace("@", f"+{folders[user]}@")
                code, text = client.rcpt(address)
                if code == 250:
                    accepted.append(user)
                else:
                    self.ledger.answered(user, message_id, REFUSED, f"RCPT {code} {text!r}")
                    open_users.remove(user)
            if not accepted:
                client.rset()
                return
            try:
                code, text = client.data(data)  # the first recipient's reply; LMTP sends one per recipient
            except smtplib.SMTPDataError as error:  # DATA itself refused: no message
                for user in accepted:
                    self.ledger.answered(user, message_id, REFUSED, f"DATA {error.smtp_code} {error.smtp_error!r}")
                open_users.clear()
                client.rset()
                return
            for index, user in enumerate(accepted):
                if index:
                    code, text = client.getreply()
                self.ledger.answered(user, message_id, ACK if code == 250 else REFUSED, f"{code} {text!r}")
                open_users.remove(user)
        except CONNECTION_ERRORS as error:
            for user in open_users:
                self.ledger.answered(user, message_id, UNKNOWN, f"{type(error).__name__}: {error}")
            raise

    # ------------------------------------------------------------------------------------------------ IMAP

    def imap(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.server.imap_port, timeout=self.timeout)
        typ, data = client.login(user, PASSWORD)
        return client

    def append_client(self, rng):
        user = rng.choice(self.users)
        client = self.imap(user)
        try:
            client.create("Work")  # NO [ALREADYEXISTS] after the first time
            for _ in range(rng.randint(5, 40)):
                if self.stopping.is_set():
                    break
                folder = rng.choice(FOLDERS)
                message_id = self.ledger.new_message_id()
                data = make_message(message_id, rng)
                flags = rng.choice([None, "(\\Seen)", "(\\Flagged $Label1)"])
                self.ledger.tried(message_id, [user], lambda _: folder, "append")
                try:
                    typ, answer = client.append(folder, flags, None, data)
                except CONNECTION_ERRORS as error:
                    self.ledger.answered(user, message_id, UNKNOWN, f"{type(error).__name__}: {error}")
                    raise
                except imaplib.IMAP4.error as error:  # BAD: not taken
                    self.ledger.answered(user, message_id, REFUSED, f"BAD {error}")
                    continue
                self.ledger.answered(user, message_id, ACK if typ == "OK" else REFUSED, f"{typ} {answer!r}")
                self._sleep(rng)
            client.logout()
        finally:
            client.shutdown()

    def modify_client(self, rng):
        """Flag changes and expunges of a few random messages per round, on one user per connection."""
        user = rng.choice(self.users)
        client = self.imap(user)
        try:
            for _ in range(rng.randint(5, 30)):
                if self.stopping.is_set():
                    break
                typ, _ = client.select(rng.choice(FOLDERS))
                if typ != "OK":
                    self.ledger.count("select refused", str(_))
                    continue
                typ, data = client.uid("SEARCH", None, "NOT DELETED")
                uids = data[0].split() if typ == "OK" and data and data[0] else []
                if not uids:
                    continue
                chosen = rng.sample(uids, k=min(len(uids), rng.randint(1, 3)))
                if rng.random() < 0.6:
                    flag = rng.choice(["+FLAGS (\\Seen)", "-FLAGS (\\Seen)", "+FLAGS (\\Flagged)", "+FLAGS ($Done)"])
                    typ, data = client.uid("STORE", b",".join(chosen).decode(), *flag.split(" ", 1))
                    self.ledger.count(f"store {typ}", f"{data!r}")
                else:
                    self.expunge(client, user, chosen)
                self._sleep(rng)
            client.logout()
        finally:
            client.shutdown()

    def expunge(self, client: imaplib.IMAP4, user: str, uids: list[bytes]):
        typ, data = client.uid("FETCH", b",".join(uids).decode(), FETCH_ITEMS)
        if typ != "OK":
            self.ledger.count("fetch refused", f"{data!r}")
            return
        found = {uid: message_id for uid, message_id in uids_and_message_ids(data) if message_id}
        if not found:
            return
        self.ledger.expunge_pending(user, list(found.values()))
        uid_set = b",".join(found).decode()
        typ, data = client.uid("STORE", uid_set, "+FLAGS.SILENT", "(\\Deleted)")
        if typ != "OK":
            self.ledger.count("store \\Deleted refused", f"{data!r}")
            return
        typ, data = client.uid("EXPUNGE", uid_set)
        self.ledger.count(f"uid expunge {typ}", f"{data!r}")
        if typ == "OK":
            self.ledger.expunge_acknowledged(user, list(found.values()))

    # ------------------------------------------------------------------------------------------------ POP3

    def pop3_client(self, rng):
        """Reads a few messages of one user's INBOX; now and then deletes one (an expunge at QUIT)."""
        user = rng.choice(self.users)
        client = poplib.POP3("127.0.0.1", self.server.pop3_port, timeout=self.timeout)
        try:
            client.user(user)
            client.pass_(PASSWORD)
            count, _ = client.stat()
            deleted = []
            for number in rng.sample(range(1, count + 1), k=min(count, 3)):
                lines = client.top(number, 0)[1]
                found = MESSAGE_ID.search(b"\r\n".join(lines))
                if rng.random() < 0.2 and found:
                    deleted.append(found.group(1).decode())
                    self.ledger.expunge_pending(user, deleted[-1:])
                    client.dele(number)
                else:
                    client.retr(number)
            answer = client.quit()
            self.ledger.count("pop3 quit", answer.decode(errors="replace"))
            if deleted and answer.startswith(b"+OK"):
                self.ledger.expunge_acknowledged(user, deleted)
        except poplib.error_proto as error:
            self.ledger.count("pop3 -ERR", str(error))
            client.close()
        finally:
            client.close()
