import Foundation
import GRDB

/// What a merge of the bucket's state into the local index changed.
public struct MergeOutcome: Sendable, Equatable {
    public var added = 0
    public var removed = 0
    public var flagsTaken = 0
    /// Local messages whose UID another backend had used for a different message: they got new UIDs.
    public var renumbered = 0

    public var changed: Bool { added + removed + flagsTaken + renumbered > 0 }

    public init() {}
}

/// Where this backend's last upload of a folder stopped: rows changed after it are local changes
/// the bucket has not seen; UIDs at or above its UIDNEXT were handed out here only.
public struct UploadMark: Sendable, Equatable {
    public var modSeq: Int64
    public var uidNext: UInt32

    public init(modSeq: Int64, uidNext: UInt32) {
        self.modSeq = modSeq
        self.uidNext = uidNext
    }
}

extension UserIndex {
    /// Merges the bucket's view of a mailbox (a folded bundle chain) into the local rows without
    /// losing either side's messages (split brain, or a restart after a crash):
    /// - a UID both sides know for the same message keeps the local flags if they changed since
    ///   `mark`, else takes the bucket's;
    /// - a local message whose UID the other side used for something else (or expunged) gets a
    ///   new UID above both sides' UIDNEXT; UIDVALIDITY stays;
    /// - a message only the bucket has is added unless expunged here; one it expunged goes here too.
    /// Object reference counts are rebuilt afterwards by the caller (`rebuildObjectReferences`).
    public func mergeMailbox(_ remote: MailboxBundle, mark: UploadMark?) async throws -> MergeOutcome {
        let user = self.user
        return try await write { db in
            guard var mailbox = try MailboxRecord.filter(Column("guid") == remote.mailboxGUID).fetchOne(db) else {
                throw IndexError.mailboxNotFound(user: user, mailbox: remote.mailboxGUID)
            }
            let id = mailbox.id
            let mark = mark ?? UploadMark(modSeq: 0, uidNext: 1)
            var local = Dictionary(
                try MessageRecord.filter(Column("mailboxID") == id).fetchAll(db).map { ($0.uid, $0) },
                uniquingKeysWith: { $1 })
            let locallyExpunged = Set(try UInt32.fetchAll(db, sql: "SELECT uid FROM expunged WHERE mailboxID = ?", arguments: [id]))
            let modSeq = max(mailbox.highestModSeq, remote.highestModSeq) + 1
            var outcome = MergeOutcome()
            var displaced: [MessageRecord] = []
            // A message this index saved after its last upload may already be in the bucket's
            // state under another UID (the other backend adopted its object): one message, the
            // bucket's UID.
            let remoteUIDByMessage = Dictionary(remote.messages.map { ("\($0.guid) \($0.objectKey)", $0.uid) }, uniquingKeysWith: { $1 })
            for (uid, mine) in local where uid >= mark.uidNext {
                guard let theirs = remoteUIDByMessage["\(mine.guid) \(mine.objectKey)"], theirs != uid else { continue }
                try db.execute(sql: "DELETE FROM message WHERE mailboxID = ? AND uid = ?", arguments: [id, uid])
                try db.execute(sql: "INSERT OR REPLACE INTO expunged(mailboxID, uid, modSeq) VALUES (?, ?, ?)", arguments: [id, uid, modSeq])
                local[uid] = nil
                outcome.removed += 1
            }

            func translated(_ row: MessageRecord) throws -> MessageRecord {
                var copy = row
                copy.mailboxID = id
                copy.modSeq = modSeq
                copy.keywords = try Self.keywordMask(Self.keywords(row.keywords, names: remote.keywords), mailbox: mailbox, user: user, in: db)
                return copy
            }

            for row in remote.messages {
                if let mine = local[row.uid] {
                    if mine.guid == row.guid {
                        guard mine.modSeq <= mark.modSeq else { continue }
                        let theirs = try translated(row)
                        if mine.flags != theirs.flags || mine.keywords != theirs.keywords {
                            try db.execute(
                                sql: "UPDATE message SET flags = ?, keywords = ?, modSeq = ? WHERE mailboxID = ? AND uid = ?",
                                arguments: [theirs.flags, theirs.keywords, modSeq, id, row.uid])
                            outcome.flagsTaken += 1
                        }
                    } else {
                        displaced.append(mine)
                        try db.execute(sql: "DELETE FROM message WHERE mailboxID = ? AND uid = ?", arguments: [id, row.uid])
                        try translated(row).insert(db)
                        outcome.added += 1
                    }
                    local[row.uid] = nil
                } else if !locallyExpunged.contains(row.uid) {
                    try translated(row).insert(db)
                    outcome.added += 1
                }
            }
            for (uid, mine) in local where remote.expunged[uid] != nil {
                try db.execute(sql: "DELETE FROM message WHERE mailboxID = ? AND uid = ?", arguments: [id, uid])
                if mine.uid >= mark.uidNext {
                    // Our new message under a UID the other side used and expunged: keep it.
                    displaced.append(mine)
                } else {
                    outcome.removed += 1
                }
            }
            for (uid, expungeModSeq) in remote.expunged {
                try db.execute(
                    sql:
                        "INSERT OR IGNORE INTO expunged(mailboxID, uid, modSeq) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM message WHERE mailboxID = ? AND uid = ?)",
                    arguments: [id, uid, expungeModSeq, id, uid])
            }
            var next = max(mailbox.uidNext, remote.uidNext)
            for var row in displaced.sorted(by: { $0.uid < $1.uid }) {
                row.uid = next
                row.modSeq = modSeq
                try row.insert(db)
                next += 1
                outcome.renumbered += 1
            }
            // A UID given back to a message (the bucket's) is no longer expunged.
            try db.execute(
                sql: "DELETE FROM expunged WHERE mailboxID = ? AND uid IN (SELECT uid FROM message WHERE mailboxID = ?)",
                arguments: [id, id])
            mailbox.uidNext = next
            if outcome.changed || remote.highestModSeq > mailbox.highestModSeq { mailbox.highestModSeq = modSeq }
            try mailbox.update(db)
            return outcome
        }
    }

    /// Adds the mailboxes and subscriptions of another backend's root bundle that this index does
    /// not have. Nothing local is removed: a mailbox deleted elsewhere comes back empty once the
    /// rescan finds its objects gone, which never loses mail. Returns how many mailboxes were added.
    public func mergeRoot(_ root: RootBundle) async throws -> Int {
        try await write { db in
            var added = 0
            for entry in root.mailboxes where try MailboxRecord.filter(Column("guid") == entry.guid).fetchCount(db) == 0 {
                var name = entry.name
                if try MailboxRecord.filter(Column("name") == name).fetchCount(db) > 0 { name += "-" + entry.guid.prefix(8) }
                _ = try MailboxRecord.insert(
                    guid: entry.guid, name: name, uidValidity: entry.uidValidity, specialUse: entry.specialUse,
                    createdAt: entry.createdAt, in: db)
                added += 1
            }
            for name in root.subscriptions {
                try db.execute(sql: "INSERT OR IGNORE INTO subscription(name) VALUES (?)", arguments: [name])
            }
            // The user's Sieve scripts (`sieve.` keys) change only by commands that upload at once: the other
            // backend's set is the newer one, deletions included.
            try db.execute(sql: "DELETE FROM state WHERE substr(key, 1, 6) = 'sieve.'")
            for (key, value) in root.state where key.hasPrefix("sieve.") {
                try db.execute(sql: "INSERT OR REPLACE INTO state(key, value) VALUES (?, ?)", arguments: [key, value])
            }
            // Sieve tracking entries (`sieve-duplicate:`, `sieve-vacation:` keys → expiry): both backends' entries,
            // the later expiry.
            for (key, value) in root.state where key.hasPrefix("sieve-duplicate:") || key.hasPrefix("sieve-vacation:") {
                try db.execute(
                    sql: "INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                        + "CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)",
                    arguments: [key, value])
            }
            if let theirs = root.state["last-uidvalidity"].flatMap(UInt32.init) {
                let mine = try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'last-uidvalidity'").flatMap(UInt32.init) ?? 0
                try db.execute(sql: "INSERT OR REPLACE INTO state(key, value) VALUES ('last-uidvalidity', ?)", arguments: [String(max(mine, theirs))])
            }
            return added
        }
    }

    /// Drops every message whose object is gone from the bucket (expunged on a backend that died
    /// before uploading, or removed by hand). Each affected mailbox gets one new MODSEQ and the
    /// UIDs go to the expunge log, so clients see them vanish. Returns the UIDs by mailbox id.
    @discardableResult
    public func dropMessages(withObjects keys: Set<String>) async throws -> [Int64: [UInt32]] {
        guard !keys.isEmpty else { return [:] }
        return try await write { db in
            var dropped: [Int64: [UInt32]] = [:]
            for key in keys {
                for row in try Row.fetchAll(db, sql: "SELECT mailboxID, uid FROM message WHERE objectKey = ?", arguments: [key]) {
                    dropped[row["mailboxID"], default: []].append(row["uid"])
                }
                try db.execute(sql: "DELETE FROM message WHERE objectKey = ?", arguments: [key])
                try db.execute(sql: "DELETE FROM object WHERE key = ?", arguments: [key])
                try db.execute(sql: "DELETE FROM pendingDelete WHERE key = ?", arguments: [key])
            }
            for (mailboxID, uids) in dropped {
                guard var mailbox = try MailboxRecord.fetchOne(db, key: mailboxID) else { continue }
                mailbox.highestModSeq += 1
                try mailbox.update(db)
                for uid in uids {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO expunged(mailboxID, uid, modSeq) VALUES (?, ?, ?)",
                        arguments: [mailboxID, uid, mailbox.highestModSeq])
                }
            }
            return dropped
        }
    }
}
