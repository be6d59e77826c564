import Foundation
import GRDB

extension UserIndex {
    /// Every message row of a mailbox in UID order without its cached MIME fields (left empty):
    /// what a POP3 session's snapshot and a SEARCH on flags, sizes and dates need, at a fraction
    /// of the bytes `messages(_:in:)` reads for a large mailbox.
    /// `withKeys: false` also leaves `guid` and `objectKey` empty (two strings a row were most of a SEARCH's
    /// reading): for callers that decide on the other columns and fetch the few rows they need whole.
    public func messageListing(in mailboxID: Int64, withKeys: Bool = true) async throws -> [MessageRecord] {
        try await read { db in
            let statement = try db.cachedStatement(
                sql: withKeys
                    ? """
                    SELECT mailboxID, uid, flags, keywords, modSeq, size, virtualSize, internalDate, saveDate, guid, objectKey
                    FROM message WHERE mailboxID = ? ORDER BY uid
                    """
                    : """
                    SELECT mailboxID, uid, flags, keywords, modSeq, size, virtualSize, internalDate, saveDate
                    FROM message WHERE mailboxID = ? ORDER BY uid
                    """)
            var records: [MessageRecord] = []
            try statement.forEachRawRow([mailboxID]) { row in
                records.append(
                    MessageRecord(
                        mailboxID: try row.value(0), uid: try row.value(1),
                        guid: withKeys ? try row.value(9) : "", objectKey: withKeys ? try row.value(10) : "",
                        flags: try row.value(2), keywords: try row.value(3), modSeq: try row.value(4), size: try row.value(5),
                        virtualSize: try row.value(6), internalDate: try row.value(7), saveDate: try row.value(8),
                        cachedFields: Data()))
            }
            return records
        }
    }
}
