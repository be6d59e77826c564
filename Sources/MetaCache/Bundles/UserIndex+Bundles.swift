import Foundation
import GRDB

extension UserIndex {
    /// A base bundle (`since == nil`) or the diff of everything with MODSEQ above `since`.
    public func exportMailbox(guid: String, since: Int64?, previous: String?) async throws -> MailboxBundle {
        let user = self.user
        return try await read { db in
            guard let mailbox = try MailboxRecord.filter(Column("guid") == guid).fetchOne(db) else {
                throw IndexError.mailboxNotFound(user: user, mailbox: guid)
            }
            let id = mailbox.id
            let floor = since ?? 0
            // Local row ids mean nothing on another backend: bundles carry mailbox GUIDs instead.
            // A base reads every row in UID order (the primary key); a diff reads the few changed rows through
            // the MODSEQ index and sorts them here (an ORDER BY uid would make SQLite scan the whole mailbox).
            let rows =
                since == nil
                ? try MessageRecord.fetchAll(
                    db, sql: "SELECT \(MessageRecord.selectColumns) FROM message WHERE mailboxID = ? ORDER BY uid",
                    arguments: [id])
                : try MessageRecord.fetchAll(
                    db, sql: "SELECT \(MessageRecord.selectColumns) FROM message WHERE mailboxID = ? AND modSeq > ?",
                    arguments: [id, floor]
                ).sorted { $0.uid < $1.uid }
            let messages = rows.map { row in
                var copy = row
                copy.mailboxID = 0
                return copy
            }
            var expunged: [UInt32: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT uid, modSeq FROM expunged WHERE mailboxID = ? AND modSeq > ?", arguments: [id, floor]) {
                expunged[row["uid"]] = row["modSeq"]
            }
            return MailboxBundle(
                kind: since == nil ? .base : .diff, mailboxGUID: guid, previous: previous, sinceModSeq: floor,
                uidValidity: mailbox.uidValidity, uidNext: mailbox.uidNext, highestModSeq: mailbox.highestModSeq,
                createdAt: mailbox.createdAt, keywords: try Self.keywordNames(id, in: db),
                messages: messages, expunged: expunged)
        }
    }

    public func exportRoot() async throws -> RootBundle {
        try await read { db in try Self.exportRoot(mailboxes: Self.mailboxesByName(db), db: db) }
    }

    /// What the bundler's periodic check needs, in one read: every mailbox, the bundle positions kept in
    /// `state`, and the root bundle as it would be now. The check runs every second for every user with
    /// changes not yet uploaded, so separate reads (one per mailbox's position) would show in every profile.
    func bundleCheck() async throws -> (mailboxes: [MailboxRecord], bundleStates: [String: String], root: RootBundle) {
        try await read { db in
            let mailboxes = try Self.mailboxesByName(db)
            var states: [String: String] = [:]
            try db.cachedStatement(sql: "SELECT key, value FROM state WHERE key LIKE 'bundle:%'").forEachRawRow([]) { row in
                states[try row.value(0)] = try row.value(1)
            }
            return (mailboxes, states, try Self.exportRoot(mailboxes: mailboxes, db: db))
        }
    }

    private static func mailboxesByName(_ db: Database) throws -> [MailboxRecord] {
        var mailboxes: [MailboxRecord] = []
        try db.cachedStatement(sql: "SELECT \(MailboxRecord.selectColumns) FROM mailbox ORDER BY name").forEachRawRow([]) {
            mailboxes.append(try MailboxRecord(positional: $0))
        }
        return mailboxes
    }

    private static func exportRoot(mailboxes: [MailboxRecord], db: Database) throws -> RootBundle {
        let entries = mailboxes.map {
            RootBundle.Mailbox(guid: $0.guid, name: $0.name, uidValidity: $0.uidValidity, specialUse: $0.specialUse, createdAt: $0.createdAt)
        }
        let subscriptions: [String] = try db.cachedStatement(sql: "SELECT name FROM subscription ORDER BY name").rawColumn()
        var state: [String: String] = [:]
        try db.cachedStatement(sql: "SELECT key, value FROM state WHERE key NOT LIKE 'bundle:%'").forEachRawRow([]) { row in
            state[try row.value(0)] = try row.value(1)
        }
        return RootBundle(mailboxes: entries, subscriptions: subscriptions, state: state)
    }

    /// Makes the mailbox list, subscriptions and user state those of the root bundle. Mailboxes
    /// are matched by GUID, so a rename done on another backend arrives as a rename.
    public func importRoot(_ root: RootBundle) async throws {
        try await write { db in
            let known = try MailboxRecord.fetchAll(db)
            let wanted = Set(root.mailboxes.map(\.guid))
            for mailbox in known where !wanted.contains(mailbox.guid) {
                try db.execute(sql: "DELETE FROM mailbox WHERE id = ?", arguments: [mailbox.id])
            }
            // Temporary names first, so swapped names cannot collide on the UNIQUE constraint.
            for mailbox in known where wanted.contains(mailbox.guid) {
                try db.execute(sql: "UPDATE mailbox SET name = ? WHERE id = ?", arguments: ["\u{7f}import-" + mailbox.guid, mailbox.id])
            }
            for entry in root.mailboxes {
                if var existing = try MailboxRecord.filter(Column("guid") == entry.guid).fetchOne(db) {
                    existing.name = entry.name
                    existing.specialUse = entry.specialUse
                    try existing.update(db)
                } else {
                    _ = try MailboxRecord.insert(
                        guid: entry.guid, name: entry.name, uidValidity: entry.uidValidity,
                        specialUse: entry.specialUse, createdAt: entry.createdAt, in: db)
                }
            }
            try db.execute(sql: "DELETE FROM subscription")
            for name in root.subscriptions {
                try db.execute(sql: "INSERT OR IGNORE INTO subscription(name) VALUES (?)", arguments: [name])
            }
            for (key, value) in root.state {
                try db.execute(
                    sql: "INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            }
        }
    }

    /// Applies a base (replacing the mailbox's messages) or a diff (upserting changed messages and
    /// applying expunges). The mailbox must exist (from the root bundle).
    public func applyMailboxBundle(_ bundle: MailboxBundle) async throws {
        let user = self.user
        try await write { db in
            guard var mailbox = try MailboxRecord.filter(Column("guid") == bundle.mailboxGUID).fetchOne(db) else {
                throw IndexError.mailboxNotFound(user: user, mailbox: bundle.mailboxGUID)
            }
            let id = mailbox.id
            if bundle.kind == .base {
                try db.execute(sql: "DELETE FROM message WHERE mailboxID = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM expunged WHERE mailboxID = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM keyword WHERE mailboxID = ?", arguments: [id])
            }
            for (position, name) in bundle.keywords {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO keyword(mailboxID, position, name) VALUES (?, ?, ?)",
                    arguments: [id, position, name])
            }
            // Expunges first: a row the bundle carries is live even if its UID was once expunged.
            for (uid, modSeq) in bundle.expunged {
                try db.execute(sql: "DELETE FROM message WHERE mailboxID = ? AND uid = ?", arguments: [id, uid])
                try db.execute(sql: "INSERT OR REPLACE INTO expunged(mailboxID, uid, modSeq) VALUES (?, ?, ?)", arguments: [id, uid, modSeq])
            }
            for var message in bundle.messages {
                message.mailboxID = id
                try message.save(db, onConflict: .replace)
                try db.execute(sql: "DELETE FROM expunged WHERE mailboxID = ? AND uid = ?", arguments: [id, message.uid])
            }
            mailbox.uidValidity = bundle.uidValidity
            mailbox.uidNext = max(mailbox.uidNext, bundle.uidNext)
            mailbox.highestModSeq = max(mailbox.highestModSeq, bundle.highestModSeq)
            mailbox.firstRecentUID = mailbox.uidNext
            try mailbox.update(db)
        }
    }

    /// Recounts object references from the message rows (after loading bundles).
    public func rebuildObjectReferences() async throws {
        try await write { db in
            try db.execute(
                sql: """
                    DELETE FROM object;
                    INSERT INTO object(key, refCount, size)
                        SELECT objectKey, COUNT(*), MAX(size) FROM message GROUP BY objectKey;
                    DELETE FROM pendingDelete WHERE key IN (SELECT key FROM object);
                    """)
        }
    }

    /// Every object key the index refers to (for a rescan).
    public func referencedObjects() async throws -> Set<String> {
        try await read { db in Set(try String.fetchAll(db, sql: "SELECT key FROM object")) }
    }
}
