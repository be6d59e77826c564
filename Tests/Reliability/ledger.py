"""What the clients were told, per message (user + unique Message-ID), and the check of a mailbox listing against it.

A save is `ack` (250 / APPEND OK), `refused` (any other answer: it must never become mail) or `unknown` (the
connection died or timed out before the answer: present 0 or 1 times). An expunge is `pending` from the moment the
client marks the message \\Deleted until UID EXPUNGE is answered; then `expunged` (OK: must stay absent) or it stays
`pending` (present 0 or 1 times)."""
import collections
import dataclasses
import threading
import time

ACK, REFUSED, UNKNOWN = "ack", "refused", "unknown"


@dataclasses.dataclass
class Entry:
    user: str
    folder: str
    via: str                  # "lmtp" or "append"
    outcome: str = UNKNOWN
    answer: str = ""          # the server's answer line (refused) or the exception (unknown)
    expunge: str = ""         # "", "pending" or "expunged"
    expunged_at: float = 0.0  # time.monotonic() of the acknowledged expunge

    @property
    def acceptable_folders(self) -> set[str]:
        """Where the message may be: a delivery whose save into its detail mailbox failed (a store error, a quota
        rule) goes to INBOX, as Dovecot's mail_deliver does; an APPEND only where it was appended."""
        return {self.folder, "INBOX"} if self.via == "lmtp" else {self.folder}


@dataclasses.dataclass
class Findings:
    lost: list = dataclasses.field(default_factory=list)
    resurrected: list = dataclasses.field(default_factory=list)   # refused saves and acknowledged expunges seen
    duplicated: list = dataclasses.field(default_factory=list)
    misplaced: list = dataclasses.field(default_factory=list)     # in another folder than saved to
    foreign: list = dataclasses.field(default_factory=list)       # mail no client saved (e.g. a Recovered/ folder)
    expunge_returned_allowed: int = 0  # acknowledged expunges back after an emptied metacache (docs/metacache.md)

    def failed(self) -> bool:
        return bool(self.lost or self.resurrected or self.duplicated or self.misplaced or self.foreign)

    def describe(self, limit: int = 5) -> str:
        parts = []
        for name in ("lost", "resurrected", "duplicated", "misplaced", "foreign"):
            items = getattr(self, name)
            if items:
                parts.append(f"{name} {len(items)}: {items[:limit]}")
        return "; ".join(parts)


class Ledger:
    def __init__(self, run_id: str):
        self.run_id = run_id
        self.lock = threading.Lock()
        self.entries: dict[tuple[str, str], Entry] = {}
        self.counter = 0
        self.temporary_answers = 0  # 451 / NO [UNAVAILABLE] / -ERR [SYS/TEMP] answers seen by any client
        self.operations = collections.Counter()  # every operation tried, by kind and outcome

    def new_message_id(self) -> str:
        with self.lock:
            self.counter += 1
            return f"<{self.run_id}.{self.counter}@reliability.test>"

    def tried(self, message_id: str, users: list[str], folder_of, via: str) -> None:
        """Recorded before the first byte is sent, so a kill at any point leaves an `unknown` entry."""
        with self.lock:
            for user in users:
                self.entries[(user, message_id)] = Entry(user, folder_of(user), via)

    def answered(self, user: str, message_id: str, outcome: str, answer: str = "") -> None:
        with self.lock:
            entry = self.entries[(user, message_id)]
            entry.outcome, entry.answer = outcome, answer[:200]
            self.operations[f"{entry.via} {outcome}"] += 1
            if outcome == REFUSED and is_temporary(answer):
                self.temporary_answers += 1

    def count(self, kind: str, temporary_answer: str = "") -> None:
        with self.lock:
            self.operations[kind] += 1
            if temporary_answer and is_temporary(temporary_answer):
                self.temporary_answers += 1

    def expunge_pending(self, user: str, message_ids: list[str]) -> None:
        with self.lock:
            for message_id in message_ids:
                entry = self.entries.get((user, message_id))
                if entry is not None and entry.expunge != "expunged":
                    entry.expunge = "pending"

    def expunge_acknowledged(self, user: str, message_ids: list[str]) -> None:
        now = time.monotonic()
        with self.lock:
            for message_id in message_ids:
                entry = self.entries.get((user, message_id))
                if entry is not None:
                    entry.expunge, entry.expunged_at = "expunged", now

    def forgive_recent_expunges(self, since: float) -> None:
        """After a restart on an emptied metacache, expunges acknowledged after `since` may come back: the bundle
        holding them may not have been uploaded yet (docs/metacache.md, "What can be lost"). They become pending
        (0 or 1 times); older ones stay strict."""
        with self.lock:
            for entry in self.entries.values():
                if entry.expunge == "expunged" and entry.expunged_at > since:
                    entry.expunge = "pending"
                    entry.expunged_at = 0.0
                    entry.answer = "expunge forgiven: metacache emptied before its upload"

    def totals(self) -> dict:
        with self.lock:
            outcomes = collections.Counter(entry.outcome for entry in self.entries.values())
            return {"tries": len(self.entries), ACK: outcomes[ACK], REFUSED: outcomes[REFUSED],
                    UNKNOWN: outcomes[UNKNOWN], "temporary": self.temporary_answers}

    def check(self, listing: dict[str, dict[str, list[str]]], users: list[str]) -> Findings:
        """`listing`: user -> folder -> the Message-IDs found there (one per message, repeats kept)."""
        findings = Findings()
        seen: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
        for user, folders in listing.items():
            for folder, message_ids in folders.items():
                for message_id in message_ids:
                    if message_id is None or not message_id.startswith(f"<{self.run_id}."):
                        findings.foreign.append((user, folder, message_id))
                    else:
                        seen[(user, message_id)].append(folder)
        with self.lock:
            entries = dict(self.entries)
        for key, folders in seen.items():
            entry = entries.get(key)
            if entry is None:
                findings.foreign.append((key[0], folders[0], key[1]))
                continue
            if len(folders) > 1:
                findings.duplicated.append((key, folders, entry.outcome))
            if entry.outcome == REFUSED:
                findings.resurrected.append((key, "refused save", entry.answer))
            elif entry.expunge == "expunged":
                findings.resurrected.append((key, "expunged", entry.outcome))
            if any(folder not in entry.acceptable_folders for folder in folders):
                findings.misplaced.append((key, entry.folder, folders))
        for key, entry in entries.items():
            if key[0] in users and entry.outcome == ACK and not entry.expunge and key not in seen:
                findings.lost.append((key, entry.folder, entry.via))
        return findings


def is_temporary(answer: str) -> bool:
    return any(code in answer for code in ("451", "4.3.0", "UNAVAILABLE", "SYS/TEMP", "[INUSE]", "[LIMIT]"))
