import Foundation
import GRDB
import MailModel

/// What SORT and THREAD read of a message: its stored sort keys, or (for a row stored without them)
/// the cached fields they are computed from.
public struct SortRow: Sendable {
    public var uid: UInt32
    public var internalDate: Int64
    public var virtualSize: Int64
    public var sortKeys: [UInt8]?
    /// Only when `sortKeys` is nil or of another format version: reading every row's cached fields is what
    /// a stored key saves.
    public var cachedFields: [UInt8]?
}

extension UserIndex {
    /// The sort rows of `uids`, in UID order. Keys whose first byte (their format version, opaque otherwise)
    /// is not `keyVersion` come with the cached fields they are recomputed from.
    public func sortRows(_ uids: UIDSet, in mailboxID: Int64, keyVersion: UInt8) async throws -> [SortRow] {
        let version = Data([keyVersion])
        return try await read { db in
            var result: [SortRow] = []
            for condition in uids.sqlConditions {
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT uid, internalDate, virtualSize, sortKeys,
                               CASE WHEN sortKeys IS NULL OR substr(sortKeys, 1, 1) <> ? THEN cachedFields END
                        FROM message WHERE mailboxID = ? AND \(condition.sql) ORDER BY uid
                        """)
                let rows = try Row.fetchCursor(
                    statement, arguments: StatementArguments([version]) + StatementArguments([mailboxID]) + StatementArguments(condition.arguments))
                while let row = try rows.next() {
                    result.append(
                        SortRow(
                            uid: row[0], internalDate: row[1], virtualSize: row[2],
                            sortKeys: try row.withUnsafeData(atIndex: 3) { $0.map { [UInt8]($0) } },
                            cachedFields: try row.withUnsafeData(atIndex: 4) { $0.map { [UInt8]($0) } }))
                }
            }
            return result
        }
    }

    /// Stores keys computed for rows that had none (written by an older build, or loaded from a bundle).
    /// Rows expunged meanwhile are simply not there to update.
    public func storeSortKeys(_ keys: [UInt32: Data], in mailboxID: Int64) async throws {
        guard !keys.isEmpty else { return }
        try await write { db in
            for (uid, value) in keys {
                try db.run("UPDATE message SET sortKeys = ? WHERE mailboxID = ? AND uid = ?", [value, mailboxID, uid])
            }
        }
    }
}
