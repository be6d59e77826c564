import Foundation
import GRDB

extension UserIndex {
    /// Every message row of a mailbox in UID order without its cached MIME fields (left empty):
    /// what a POP3 session's snapshot and a SEARCH on flags, sizes and dates need, at a fraction
    /// of the bytes `messages(_:in:)` reads for a large mailbox.
    public func messageListing(in mailboxID: Int64) async throws -> [MessageRecord] {
        try await read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT mailboxID, uid, guid, objectKey, flags, keywords, modSeq, size, virtualSize, internalDate, saveDate
                FROM message WHERE mailboxID = ? ORDER BY uid
                """)
            var records: [MessageRecord] = []
            let rows = try Row.fetchCursor(statement, arguments: [mailboxID])
            while let row = try rows.next() {
                records.append(MessageRecord(mailboxID: row[0], uid: row[1], guid: row[2], objectKey: row[3], flags: row[4],
                                             keywords: row[5], modSeq: row[6], size: row[7], virtualSize: row[8],
                                             internalDate: row[9], saveDate: row[10], cachedFields: Data()))
            }
            return records
        }
    }
}
