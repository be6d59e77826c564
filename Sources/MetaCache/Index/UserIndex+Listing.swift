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
            let statement = try db.cachedStatement(sql: withKeys ? """
                SELECT mailboxID, uid, flags, keywords, modSeq, size, virtualSize, internalDate, saveDate, guid, objectKey
                FROM message WHERE mailboxID = ? ORDER BY uid
                """ : """
                SELECT mailboxID, uid, flags, keywords, modSeq, size, virtualSize, internalDate, saveDate
                FROM message WHERE mailboxID = ? ORDER BY uid
                """)
            var records: [MessageRecord] = []
            let rows = try Row.fetchCursor(statement, arguments: [mailboxID])
            while let row = try rows.next() {
                records.append(MessageRecord(mailboxID: row[0], uid: row[1], guid: withKeys ? row[9] : "", objectKey: withKeys ? row[10] : "",
                                             flags: row[2], keywords: row[3], modSeq: row[4], size: row[5], virtualSize: row[6],
                                             internalDate: row[7], saveDate: row[8], cachedFields: Data()))
            }
            return records
        }
    }
}
