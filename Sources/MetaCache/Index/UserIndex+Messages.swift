import Foundation
import GRDB
import MailModel

/// The result of saving, copying or moving messages: the new UIDs in order, with the mailbox's
/// UIDVALIDITY, for APPENDUID/COPYUID.
public struct AssignedUIDs: Sendable, Equatable {
    public var uidValidity: UInt32
    public var sourceUIDs: [UInt32]
    public var destinationUIDs: [UInt32]
    public var modSeq: Int64
    /// What the write's `CatchUpRequest` asked for.
    public var caughtUp: CaughtUp? = nil
}

public struct ExpungeResult: Sendable, Equatable {
    public var expungedUIDs: [UInt32]
    public var modSeq: Int64
    /// Objects no message refers to any more: delete them from the store (then `objectsDeleted`).
    public var releasedObjects: [String]
    /// When some were released: every object still waiting for its delete (earlier failures too), read in the
    /// same transaction, so the deletes need no read of their own.
    public var pendingObjectDeletes: [String] = []
    /// What the write's `CatchUpRequest` asked for.
    public var caughtUp: CaughtUp? = nil
}

extension UserIndex {
    /// Adds saved messages to a mailbox in one transaction: UIDs from UIDNEXT, one new MODSEQ,
    /// an object reference each. Called only after the objects are stored (durability rule 1).
    public func appendMessages(
        _ messages: [NewMessage], toMailbox mailboxID: Int64,
        catchingUp request: CatchUpRequest? = nil
    ) async throws -> AssignedUIDs {
        let user = self.user
        return try await write(catchingUp: request) { db in
            var mailbox = try Self.requireMailbox(mailboxID, user: user, in: db)
            let modSeq = mailbox.highestModSeq + 1
            var uids: [UInt32] = []
            for message in messages {
                let keywords = try Self.keywordMask(message.keywords, mailbox: mailbox, user: user, in: db)
                let record = MessageRecord(
                    mailboxID: mailboxID, uid: mailbox.uidNext, guid: message.guid,
                    objectKey: message.objectKey, flags: message.flags.rawValue, keywords: keywords,
                    modSeq: modSeq, size: message.size, virtualSize: message.virtualSize,
                    internalDate: message.internalDate, saveDate: message.saveDate,
                    cachedFields: message.cachedFields)
                try Self.insert(record, sortKeys: message.sortKeys, in: db)
                try Self.retainObject(message.objectKey, size: message.size, in: db)
                uids.append(mailbox.uidNext)
                mailbox.uidNext += 1
            }
            mailbox.highestModSeq = modSeq
            try Self.storeCounters(of: mailbox, in: db)
            return AssignedUIDs(uidValidity: mailbox.uidValidity, sourceUIDs: [], destinationUIDs: uids, modSeq: modSeq)
        }
    }

    /// Copies messages by reference: new rows pointing at the same objects, reference counts up.
    /// No object is copied, so a COPY costs no request to the store.
    public func copyMessages(_ uids: UIDSet, from sourceID: Int64, to destinationID: Int64) async throws -> AssignedUIDs {
        let user = self.user
        return try await write { db in
            try Self.copy(uids, from: sourceID, to: destinationID, user: user, in: db)
        }
    }

    /// MOVE: copy by reference and expunge the originals in one transaction.
    public func moveMessages(_ uids: UIDSet, from sourceID: Int64, to destinationID: Int64) async throws -> (AssignedUIDs, ExpungeResult) {
        let user = self.user
        return try await write { db in
            let copied = try Self.copy(uids, from: sourceID, to: destinationID, user: user, in: db)
            let expunged = try Self.expunge(UIDSet(copied.sourceUIDs), in: sourceID, user: user, in: db)
            return (copied, expunged)
        }
    }

    /// Removes messages, logs their UIDs with the new MODSEQ (QRESYNC), and releases their objects.
    public func expungeMessages(_ uids: UIDSet, in mailboxID: Int64) async throws -> ExpungeResult {
        let user = self.user
        return try await write { db in try Self.expunge(uids, in: mailboxID, user: user, in: db) }
    }

    /// EXPUNGE, UID EXPUNGE and CLOSE: removes the messages among `uids` that carry \Deleted at the
    /// moment of the write, so a session clearing the flag meanwhile keeps its message, and no
    /// session has to read the whole mailbox to find them.
    public func expungeDeleted(
        among uids: UIDSet = .all, in mailboxID: Int64,
        catchingUp request: CatchUpRequest? = nil
    ) async throws -> ExpungeResult {
        let user = self.user
        return try await write(catchingUp: request) { db in try Self.expunge(uids, in: mailboxID, onlyFlagged: .deleted, user: user, in: db) }
    }

    // MARK: - Reading

    /// UID, flags, keywords and MODSEQ of every message, in UID order: what SELECT needs.
    public func messageStates(in mailboxID: Int64) async throws -> [MessageState] {
        try await read { db in
            try Self.messageStates(
                in: mailboxID, sql: "SELECT uid, flags, keywords, modSeq FROM message WHERE mailboxID = ? ORDER BY uid",
                arguments: [mailboxID], db: db)
        }
    }

    /// Full rows (with the cached MIME fields) for the given UIDs, in UID order.
    public func messages(_ uids: UIDSet, in mailboxID: Int64) async throws -> [MessageRecord] {
        try await read { db in try Self.messages(uids, in: mailboxID, db: db) }
    }

    static func messages(_ uids: UIDSet, in mailboxID: Int64, db: Database) throws -> [MessageRecord] {
        var records: [MessageRecord] = []
        for condition in uids.sqlConditions {
            let statement = try db.cachedStatement(
                sql: "SELECT \(MessageRecord.selectColumns) FROM message WHERE mailboxID = ? AND \(condition.sql) ORDER BY uid")
            try statement.forEachRawRow(StatementArguments([mailboxID]) + StatementArguments(condition.arguments)) {
                records.append(try MessageRecord(positional: $0))
            }
        }
        return records
    }

    /// `MessageState`s from a query selecting uid, flags, keywords, modSeq (in that order). Statements
    /// are cached: preparing one (and GRDB's authorizer callbacks while it does) cost more than the read.
    static func messageStates(in mailboxID: Int64, sql: String, arguments: StatementArguments, db: Database) throws -> [MessageState] {
        let names = try keywordNames(mailboxID, in: db)
        var states: [MessageState] = []
        try db.cachedStatement(sql: sql).forEachRawRow(arguments) { row in
            let keywords: Int64 = try row.value(2)
            states.append(
                MessageState(
                    uid: try row.value(0), flags: MessageFlags(rawValue: try row.value(1)),
                    keywords: keywords == 0 ? [] : Self.keywords(keywords, names: names), modSeq: try row.value(3)))
        }
        return states
    }

    /// The keyword names of a mailbox, by bit position.
    public func keywordNames(in mailboxID: Int64) async throws -> [Int: String] {
        try await read { db in try Self.keywordNames(mailboxID, in: db) }
    }

    /// Messages whose MODSEQ is above `modSeq` (CONDSTORE CHANGEDSINCE).
    public func changedMessages(in mailboxID: Int64, since modSeq: Int64) async throws -> [MessageState] {
        try await read { db in try Self.changedMessages(in: mailboxID, since: modSeq, db: db) }
    }

    /// Through the MODSEQ index, sorted here: with `ORDER BY uid` SQLite walks the whole mailbox in primary-key
    /// order instead, and a selected session asks this after every change (measured: docs/performance.md).
    static func changedMessages(in mailboxID: Int64, since modSeq: Int64, db: Database) throws -> [MessageState] {
        try messageStates(
            in: mailboxID, sql: "SELECT uid, flags, keywords, modSeq FROM message WHERE mailboxID = ? AND modSeq > ?",
            arguments: [mailboxID, modSeq], db: db
        ).sorted { $0.uid < $1.uid }
    }

    /// UIDs expunged after `modSeq` (QRESYNC VANISHED).
    public func expungedUIDs(in mailboxID: Int64, since modSeq: Int64) async throws -> [UInt32] {
        try await read { db in
            try Self.expungedUIDs(in: mailboxID, since: modSeq, db: db)
        }
    }

    static func expungedUIDs(in mailboxID: Int64, since modSeq: Int64, db: Database) throws -> [UInt32] {
        // Sorted here: with ORDER BY uid, SQLite would walk the primary key instead of `expunged_by_modseq`.
        try (db.cachedStatement(sql: "SELECT uid FROM expunged WHERE mailboxID = ? AND modSeq > ?").rawColumn([mailboxID, modSeq]) as [UInt32]).sorted()
    }

    /// Gives the calling session the \Recent messages (UIDs from the returned value up) and takes
    /// them away from every later session, as RFC 3501 requires.
    public func claimRecent(in mailboxID: Int64) async throws -> UInt32 {
        let user = self.user
        return try await write { db in
            var mailbox = try Self.requireMailbox(mailboxID, user: user, in: db)
            return try Self.takeRecent(of: &mailbox, in: db)
        }
    }

    /// Inside a write: moves the mailbox's first \Recent UID to UIDNEXT and returns where it was.
    static func takeRecent(of mailbox: inout MailboxRecord, in db: Database) throws -> UInt32 {
        let first = mailbox.firstRecentUID
        mailbox.firstRecentUID = mailbox.uidNext
        try storeCounters(of: mailbox, in: db)
        return first
    }

    // MARK: - Object references

    /// Objects whose last reference went and that the store has not confirmed deleted yet.
    public func pendingObjectDeletes() async throws -> [String] {
        let confirmed = Set(deletesConfirmed.withLock { $0 })
        return try await read { db in try Self.pendingDeleteKeys(in: db) }.filter { !confirmed.contains($0) }
    }

    /// The store deleted these objects. Their rows go in the next write transaction (`applyConfirmedDeletes`)
    /// rather than one of their own: that was the third write of every UID EXPUNGE. Until then only a crash
    /// can lose the confirmation, and its cost is one more DELETE of a key that is gone, which S3 answers 204.
    public func objectsDeleted(_ keys: [String]) {
        guard !keys.isEmpty else { return }
        deletesConfirmed.withLock { $0 += keys }
    }

    /// Writes down the deletes `objectsDeleted` queued, if any (before a flush, so the index left behind has them).
    public func writeConfirmedDeletes() async throws {
        guard !deletesConfirmed.withLock({ $0.isEmpty }) else { return }
        try await write { _ in }
    }

    static func pendingDeleteKeys(in db: Database) throws -> [String] {
        try db.cachedStatement(sql: "SELECT key FROM pendingDelete ORDER BY key").rawColumn()
    }

    /// Inside a write transaction: removes the queued confirmed deletes from `pendingDelete`. On a failed
    /// transaction they go back into the queue (see `writeAndCatchUp`).
    static func applyConfirmedDeletes(_ keys: [String], in db: Database) throws {
        for key in keys { try db.run("DELETE FROM pendingDelete WHERE key = ?", [key]) }
    }

    public func referenceCount(of key: String) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT refCount FROM object WHERE key = ?", arguments: [key]) ?? 0 }
    }

    // MARK: - Transaction bodies

    static func requireMailbox(_ id: Int64, user: String, in db: Database) throws -> MailboxRecord {
        let statement = try db.cachedStatement(sql: "SELECT \(MailboxRecord.selectColumns) FROM mailbox WHERE id = ?")
        guard let mailbox = try statement.firstRawRow([id], MailboxRecord.init(positional:)) else {
            throw IndexError.mailboxNotFound(user: user, mailbox: "#\(id)")
        }
        return mailbox
    }

    static func copy(_ uids: UIDSet, from sourceID: Int64, to destinationID: Int64, user: String, in db: Database) throws -> AssignedUIDs {
        _ = try requireMailbox(sourceID, user: user, in: db)
        var destination = try requireMailbox(destinationID, user: user, in: db)
        let sourceNames = try keywordNames(sourceID, in: db)
        let modSeq = destination.highestModSeq + 1
        var sourceUIDs: [UInt32] = []
        var destinationUIDs: [UInt32] = []
        for condition in uids.sqlConditions {
            // The sort keys depend on the message alone: the copy carries them in the same insert.
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(MessageRecord.selectColumns), sortKeys FROM message WHERE mailboxID = ? AND \(condition.sql) ORDER BY uid",
                arguments: StatementArguments([sourceID]) + StatementArguments(condition.arguments))
            for source in rows {
                var row = try MessageRecord(row: source)
                let sortKeys: Data? = source[MessageRecord.columnNames.count]
                sourceUIDs.append(row.uid)
                let names = keywords(row.keywords, names: sourceNames)
                row.keywords = try keywordMask(names, mailbox: destination, user: user, in: db)
                row.mailboxID = destinationID
                row.uid = destination.uidNext
                row.modSeq = modSeq
                try insert(row, sortKeys: sortKeys, in: db)
                try retainObject(row.objectKey, size: row.size, in: db)
                destinationUIDs.append(destination.uidNext)
                destination.uidNext += 1
            }
        }
        if !destinationUIDs.isEmpty {
            destination.highestModSeq = modSeq
            try storeCounters(of: destination, in: db)
        }
        return AssignedUIDs(
            uidValidity: destination.uidValidity, sourceUIDs: sourceUIDs, destinationUIDs: destinationUIDs,
            modSeq: destinationUIDs.isEmpty ? destination.highestModSeq : modSeq)
    }

    static func expunge(
        _ uids: UIDSet, in mailboxID: Int64, onlyFlagged flags: MessageFlags = [], user: String,
        in db: Database
    ) throws -> ExpungeResult {
        var mailbox = try requireMailbox(mailboxID, user: user, in: db)
        var expunged: [UInt32] = []
        var keys: [String] = []
        for condition in uids.sqlConditions {
            try db.cachedStatement(
                sql: """
                    SELECT uid, objectKey FROM message WHERE mailboxID = ? AND (flags & ?) = ? AND \(condition.sql) ORDER BY uid
                    """
            ).forEachRawRow(StatementArguments([mailboxID, Int64(flags.rawValue), Int64(flags.rawValue)]) + StatementArguments(condition.arguments)) { row in
                expunged.append(try row.value(0))
                keys.append(try row.value(1))
            }
        }
        guard !expunged.isEmpty else {
            return ExpungeResult(expungedUIDs: [], modSeq: mailbox.highestModSeq, releasedObjects: [])
        }
        let modSeq = mailbox.highestModSeq + 1
        for uid in expunged {
            try db.run("DELETE FROM message WHERE mailboxID = ? AND uid = ?", [mailboxID, uid])
            try db.run("INSERT OR REPLACE INTO expunged(mailboxID, uid, modSeq) VALUES (?, ?, ?)", [mailboxID, uid, modSeq])
        }
        let released = try releaseObjects(keys, in: db)
        mailbox.highestModSeq = modSeq
        try storeCounters(of: mailbox, in: db)
        let pending = released.isEmpty ? [] : try pendingDeleteKeys(in: db)
        return ExpungeResult(expungedUIDs: expunged, modSeq: modSeq, releasedObjects: released, pendingObjectDeletes: pending)
    }

    static func retainObject(_ key: String, size: Int64, in db: Database) throws {
        try db.run(
            """
            INSERT INTO object(key, refCount, size) VALUES (?, 1, ?)
            ON CONFLICT(key) DO UPDATE SET refCount = refCount + 1
            """, [key, size])
        try db.run("DELETE FROM pendingDelete WHERE key = ?", [key])
    }

    /// Drops one reference per key; returns the keys that reached zero (queued as pending deletes).
    static func releaseObjects(_ keys: [String], in db: Database) throws -> [String] {
        var released: [String] = []
        for key in keys {
            try db.run("UPDATE object SET refCount = refCount - 1 WHERE key = ?", [key])
            let remaining: Int = try db.cachedStatement(sql: "SELECT refCount FROM object WHERE key = ?").rawValue([key]) ?? 0
            if remaining <= 0 {
                try db.run("DELETE FROM object WHERE key = ?", [key])
                try db.run("INSERT OR IGNORE INTO pendingDelete(key) VALUES (?)", [key])
                released.append(key)
            }
        }
        return released
    }
}
