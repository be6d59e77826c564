import Foundation
import GRDB

extension Database {
    /// Runs a statement prepared once per connection: `execute(sql:)` and GRDB's record methods prepare
    /// theirs on every call, and preparing cost more than running on the APPEND/EXPUNGE/STORE paths.
    func run(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// `body` in one transaction whose BEGIN and COMMIT are cached statements. GRDB's `inTransaction` (and the
    /// isolation of `DatabasePool.read`) prepare both on every call, a visible share of a STORE's CPU, and every index read
    /// paid it too. A failed body or COMMIT rolls back, so the connection never stays inside a transaction.
    func inCachedTransaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T {
        try run(kind == .immediate ? "BEGIN IMMEDIATE TRANSACTION" : "BEGIN DEFERRED TRANSACTION")
        do {
            let value = try body()
            try run("COMMIT TRANSACTION")
            return value
        } catch {
            if isInsideTransaction { try? rollback() }
            throw error
        }
    }
}

extension UserIndex {
    /// Writes the counters a message change moves (UIDNEXT, HIGHESTMODSEQ, the first \Recent UID).
    static func storeCounters(of mailbox: MailboxRecord, in db: Database) throws {
        try db.run(
            "UPDATE mailbox SET uidNext = ?, highestModSeq = ?, firstRecentUID = ? WHERE id = ?",
            [mailbox.uidNext, mailbox.highestModSeq, mailbox.firstRecentUID, mailbox.id])
    }

    /// Inserts a message row (and its sort keys) through a cached statement.
    static func insert(_ record: MessageRecord, sortKeys: Data?, in db: Database) throws {
        try db.run(
            """
            INSERT INTO message (\(MessageRecord.selectColumns), sortKeys) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                record.mailboxID, record.uid, record.guid, record.objectKey, record.flags, record.keywords, record.modSeq,
                record.size, record.virtualSize, record.internalDate, record.saveDate, record.cachedFields, sortKeys
            ])
    }
}
