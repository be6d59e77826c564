"""Crash torture on a real S3 server (SeaweedFS): a backend delivering over LMTP and changing flags and
expunging over IMAP is killed with SIGKILL at random points; after each kill a new backend with an EMPTY
metacache (same bucket) must serve every acknowledged message with its bytes intact, in its folder, and with
the UID it had in the last uploaded bundle. The killed backend then restarts on its own (dirty) metacache,
which it revalidates. Finally all index bundles are deleted and the mail is rebuilt from the objects alone.
S3 requests during each recovery are counted by SeaweedFS itself (its Prometheus metrics)."""
import concurrent.futures
import hashlib
import imaplib
import os
import random
import re
import smtplib
import sqlite3
import subprocess
import textwrap
import threading
import time
import urllib.request

from conftest import free_port, passwd_file_databases, stop, wait_for_port

USERS = [f"user{n}@example.com" for n in range(10)]
FOLDERS = ["INBOX", "Work"]
ROUNDS = 5
MAILS_PER_ROUND = 250
RESCAN_COUNT = 10  # obox_max_rescan_mail_count


def s3_requests(seaweed) -> dict:
    """Requests the S3 gateway answered so far, by type (GET, HEAD, LIST, PUT, DELETE …)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{seaweed['OBJECTMAIL_TEST_S3_METRICS_PORT']}/metrics", timeout=10).read().decode()
    counts: dict = {}
    for match in re.finditer(r'^SeaweedFS_s3_request_total\{[^}]*type="(\w+)"[^}]*\} (\S+)$', text, re.M):
        counts[match.group(1)] = counts.get(match.group(1), 0) + int(float(match.group(2)))
    return counts


class Backend:
    """`objectmail serve` (LMTP + IMAP) on its own metacache directory, sharing the bucket."""

    def __init__(self, binary, root, home, seaweed, run_id):
        self.lmtp_port, self.imap_port = free_port(), free_port()
        self.home = home
        self.log = root / f"{home.name}-{time.monotonic_ns()}.log"
        users = root / "users"
        users.write_text("".join(f"{user}:{{PLAIN}}secret::::::\n" for user in USERS))
        url = seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%")
        config = root / f"{home.name}.conf"
        config.write_text(textwrap.dedent(f"""\
            mail_allow_root = yes
            log_path = {self.log}
            info_log_path = {self.log}
            protocols = lmtp imap
            service lmtp {{
              inet_listener lmtp {{
                address = 127.0.0.1
                port = {self.lmtp_port}
              }}
            }}
            service imap-login {{
              inet_listener imap {{
                address = 127.0.0.1
                port = {self.imap_port}
              }}
            }}
            mail_home = {home}/%u
            mail_location = obox:{run_id}/%u
            lmtp_save_to_detail_mailbox = yes
            lda_mailbox_autocreate = yes
            #DATABASES
            plugin {{
              obox_fs = s3:{url}
              obox_index_fs = compress:gz:6:s3:{url}
              obox_max_rescan_mail_count = {RESCAN_COUNT}
              metacache_upload_interval = 1s
            }}
            """).replace("#DATABASES", passwd_file_databases(users)))
        self.process = subprocess.Popen([binary, "serve", "-c", str(config)], cwd=root,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.lmtp_port, self.process)
        wait_for_port(self.imap_port, self.process)

    def imap(self, user):
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=60)
        client.login(user, "secret")
        return client

    def log_metadata(self, message):
        """key=value metadata of every log line containing `message`."""
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if message in line]
        return [dict(re.findall(r"(\w+)=(\S+)", line)) for line in lines]


def mail(number):
    payload = os.urandom(random.randint(500, 6000)).hex()
    body = "\r\n".join(payload[i:i + 76] for i in range(0, len(payload), 76))
    return (f"From: sender@example.net\r\nTo: someone@example.com\r\nSubject: torture {number}\r\n"
            f"Message-ID: <{number}@torture>\r\n\r\n{body}\r\n").encode()


class Ledger:
    """What the clients were told: acknowledged deliveries (bytes hash, folder), acknowledged expunges."""

    def __init__(self):
        self.lock = threading.Lock()
        self.delivered = {}  # message number -> (user, folder, original bytes)
        self.expunged = set()
        # Marked \Deleted: may vanish with any later EXPUNGE, so neither required nor forbidden.
        self.deleting = set()
        self.next_number = 0

    def number(self):
        with self.lock:
            self.next_number += 1
            return self.next_number


def deliver(backend, ledger, quota, stop_event):
    """One LMTP connection delivering until the quota is used or the backend dies."""
    try:
        client = smtplib.LMTP("127.0.0.1", backend.lmtp_port, timeout=30)
        client.ehlo_or_helo_if_needed()
        while not stop_event.is_set():
            with ledger.lock:
                if quota[0] <= 0:
                    return
                quota[0] -= 1
            number = ledger.number()
            user = random.choice(USERS)
            folder = random.choice(FOLDERS)
            rcpt = user if folder == "INBOX" else user.replace("@", f"+{folder}@")
            data = mail(number)
            client.sendmail("sender@example.net", [rcpt], data)
            with ledger.lock:
                ledger.delivered[number] = (user, folder, data)
    except (smtplib.SMTPException, OSError):
        return  # killed mid-delivery: this message is neither acknowledged nor required


def change_flags(backend, ledger, stop_event):
    """Random \\Seen changes and expunges over IMAP while mail arrives."""
    try:
        while not stop_event.is_set():
            user = random.choice(USERS)
            client = backend.imap(user)
            client.select("INBOX")
            status, data = client.uid("SEARCH", None, "ALL")
            uids = data[0].split()
            if uids:
                uid = random.choice(uids)
                if random.random() < 0.3:
                    status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                    found = re.search(rb"<(\d+)@torture>", fetched[0][1] if fetched and isinstance(fetched[0], tuple) else b"")
                    if not found:
                        continue
                    with ledger.lock:
                        ledger.deleting.add(int(found.group(1)))
                    client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
                    status, _ = client.expunge()
                    if status == "OK":
                        with ledger.lock:
                            ledger.expunged.add(int(found.group(1)))
                else:
                    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            client.logout()
    except (imaplib.IMAP4.error, OSError, EOFError):
        return


def last_bundle_uids(home, user):
    """From the killed backend's own index: Message-ID number -> (folder, UID, UIDVALIDITY) of the
    messages its last recorded upload of each folder contained."""
    path = home / user / "objectmail.index.sqlite"
    if not path.exists():
        return {}
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        expected = {}
        for mailbox_id, guid, name, uid_validity in database.execute("SELECT id, guid, name, uidValidity FROM mailbox"):
            state = database.execute("SELECT value FROM state WHERE key = ?", (f"bundle:{guid}",)).fetchone()
            if not state:
                continue
            uid_next = int(state[0].split()[2])
            for uid, cached in database.execute("SELECT uid, cachedFields FROM message WHERE mailboxID = ? AND uid < ?",
                                                (mailbox_id, uid_next)):
                found = re.search(rb"<(\d+)@torture>", cached)
                if found:
                    expected[int(found.group(1))] = (name, uid, uid_validity)
        return expected
    finally:
        database.close()


def verify(backend, ledger, bundle_uids=None):
    """Every acknowledged message present once, bytes intact, in its folder, expunged ones gone,
    UIDs and UIDVALIDITY of the last bundle kept. Returns the S3 figures of the recovery."""
    seen = {}
    for user in USERS:
        client = backend.imap(user)
        for folder in FOLDERS:
            status, data = client.select(folder, readonly=True)
            if status != "OK":
                continue
            uid_validity = int(client.response("UIDVALIDITY")[1][0])
            status, fetched = client.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
            for item in fetched:
                if not isinstance(item, tuple):
                    continue
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                found = re.search(rb"Message-ID: <(\d+)@torture>", item[1])
                assert found, item[1][:200]
                number = int(found.group(1))
                assert number not in seen, f"message {number} appears twice: {seen[number][:3]} and {(user, folder, uid)}"
                seen[number] = (user, folder, uid, uid_validity, hashlib.sha256(item[1]).hexdigest(), item[1])
        client.logout()
    with ledger.lock:
        delivered, expunged, deleting = dict(ledger.delivered), set(ledger.expunged), set(ledger.deleting)
    missing = [n for n in delivered if n not in deleting and n not in seen]
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {missing[:5]}"
    resurrected = [n for n in expunged if n in seen]
    assert not resurrected, f"expunged messages came back: {resurrected[:5]}"
    for number, (user, folder, original) in delivered.items():
        if number not in seen:
            continue
        got_user, got_folder, uid, uid_validity, digest, stored = seen[number]
        assert (got_user, got_folder) == (user, folder), f"message {number} in {got_user}/{got_folder}, delivered to {user}/{folder}"
        # The server prepends Return-Path, Delivered-To and Received: the delivered bytes follow them.
        assert hashlib.sha256(stored[-len(original):]).digest() == hashlib.sha256(original).digest(), f"message {number} corrupted"
        if bundle_uids and number in bundle_uids.get(user, {}):
            name, bundled_uid, bundled_validity = bundle_uids[user][number]
            assert (name, bundled_uid, bundled_validity) == (folder, uid, uid_validity), \
                f"message {number}: UID {uid}/{uid_validity} after recovery, {bundled_uid}/{bundled_validity} in the last bundle"
    return len(seen)


def recover(objectmail_bin, root, seaweed, run_id, ledger, name, bundle_uids=None):
    """Starts a backend on an empty metacache, loads every user (the recovery, counted), verifies, stops it."""
    # A request the killed backend had in flight is still served (and counted) by SeaweedFS after the kill;
    # let it finish first, or it is charged to the recovery (seen once: one LIST over the bound).
    time.sleep(1)
    before = s3_requests(seaweed)
    backend = Backend(objectmail_bin, root, root / name, seaweed, run_id)
    try:
        start = time.monotonic()
        for user in USERS:
            client = backend.imap(user)
            client.select("INBOX", readonly=True)
            client.logout()
        elapsed = time.monotonic() - start
        after = s3_requests(seaweed)
        requests = {kind: after.get(kind, 0) - before.get(kind, 0) for kind in after}
        loads = backend.log_metadata("user loaded from the bucket")
        adopted = backend.log_metadata("adopted mail from the bucket")
        count = verify(backend, ledger, bundle_uids)
        assert stop(backend.process) == 0
    finally:
        if backend.process.poll() is None:
            backend.process.kill()
    assert len(loads) == len(USERS), backend.log.read_text()[-3000:]
    return requests, loads, adopted, elapsed, count


def check_bounds(requests, loads, adopted):
    """The recovery's requests: the bundles and listings the loader reports plus one GET per adopted
    mail, nothing else; and adoption stays near obox_max_rescan_mail_count per folder."""
    bundles = sum(int(load["bundles"]) for load in loads)
    lists = sum(int(load["lists"]) for load in loads)
    adopted_total = sum(int(load["adopted"]) for load in loads)
    reads = requests.get("GET", 0) + requests.get("HEAD", 0)
    # The loader's reads, plus one per adopted mail; a few more for background uploads' checks.
    assert reads <= bundles + adopted_total + 2, (requests, bundles, adopted_total)
    # The loader's LISTs, 2 at start-up (store checks), and per bundle upload at most 2 (writer check, old bundles).
    assert requests.get("LIST", 0) <= lists + 2 + 2 * requests.get("PUT", 0), (requests, lists)
    # Per user: root, then per folder its bundles and its objects, plus the folder listing.
    assert all(int(load["lists"]) <= 2 + 2 * len(FOLDERS) + 2 for load in loads), loads
    assert all(int(entry["count"]) <= 3 * RESCAN_COUNT for entry in adopted), adopted
    return bundles, lists, adopted_total


def run_workload(backend, ledger, quota, stop_event):
    """Deliveries on 4 LMTP connections and IMAP flag changes until a random share of the round's
    quota is acknowledged, then SIGKILL at a random instant."""
    kill_after = random.randint(MAILS_PER_ROUND // 2, MAILS_PER_ROUND - 10)
    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        workers = [pool.submit(deliver, backend, ledger, quota, stop_event) for _ in range(4)]
        workers.append(pool.submit(change_flags, backend, ledger, stop_event))
        while MAILS_PER_ROUND - quota[0] < kill_after and not all(worker.done() for worker in workers[:4]):
            time.sleep(0.01)
        time.sleep(random.random() * 0.2)
        backend.process.kill()
        backend.process.wait()
        stop_event.set()


def test_kill_9_loses_no_acknowledged_message(objectmail_bin, seaweed, tmp_path):
    random.seed(os.environ.get("TORTURE_SEED", str(time.time())))
    run_id = f"torture{os.urandom(4).hex()}"  # not from the seed: a rerun on the same server starts empty
    ledger = Ledger()
    figures = []
    workload_home = tmp_path / "workload"
    for round_number in range(ROUNDS):
        # The same backend each round: from the second on it restarts on its dirty metacache.
        backend = Backend(objectmail_bin, tmp_path, workload_home, seaweed, run_id)
        stop_event = threading.Event()
        quota = [MAILS_PER_ROUND]
        try:
            run_workload(backend, ledger, quota, stop_event)
        finally:
            if backend.process.poll() is None:
                backend.process.kill()
                backend.process.wait()
        if round_number > 0:
            assert "did not shut down cleanly" in backend.log.read_text(errors="replace")
        bundle_uids = {user: last_bundle_uids(workload_home, user) for user in USERS}
        requests, loads, adopted, elapsed, count = recover(objectmail_bin, tmp_path, seaweed, run_id, ledger, f"verify{round_number}", bundle_uids)
        bundles, lists, adopted_total = check_bounds(requests, loads, adopted)
        figures.append(f"round {round_number}: {count} messages, recovery of {len(USERS)} users in {elapsed:.2f} s: "
                       f"GET {requests.get('GET', 0)} HEAD {requests.get('HEAD', 0)} LIST {requests.get('LIST', 0)} "
                       f"PUT {requests.get('PUT', 0)} (bundles read {bundles}, mails adopted {adopted_total})")
    assert len(ledger.delivered) >= ROUNDS * MAILS_PER_ROUND // 2

    # Every index bundle gone: the mail is rebuilt from the objects alone, into the folders it was delivered to.
    import boto3
    s3 = boto3.client("s3", endpoint_url=seaweed["OBJECTMAIL_TEST_S3_ENDPOINT"], region_name="us-east-1",
                      aws_access_key_id=seaweed["OBJECTMAIL_TEST_S3_ACCESS_KEY"],
                      aws_secret_access_key=seaweed["OBJECTMAIL_TEST_S3_SECRET_KEY"])
    bucket = seaweed["OBJECTMAIL_TEST_S3_BUCKET"]
    keys = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=run_id + "/")
            for item in page.get("Contents", []) if "/idx/" in item["Key"]]
    assert keys
    for start in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys[start:start + 1000]]})
    requests, loads, adopted, elapsed, count = recover(objectmail_bin, tmp_path, seaweed, run_id, ledger, "rebuild")
    figures.append(f"no bundles: {count} messages rebuilt from objects for {len(USERS)} users in {elapsed:.2f} s: "
                   f"GET {requests.get('GET', 0)} LIST {requests.get('LIST', 0)}")
    print("\n" + "\n".join(figures))
    (tmp_path / "figures.txt").write_text("\n".join(figures) + "\n")
