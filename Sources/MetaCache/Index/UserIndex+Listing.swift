import Foundation
import GRDB

extension UserIndex {
    /// Every message row of a mailbox in UID order without its cached MIME fields (left empty):
    /// what a POP3 session's snapshot needs (UID, GUID, object key, flags, sizes), at a fraction
    /// of the bytes `messages(_:in:)` reads for a large mailbox.
    public func messageListing(in mailboxID: Int64) async throws -> [MessageRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT mailboxID, uid, guid, objectKey, flags, keywords, modSeq, size, virtualSize, internalDate, saveDate
                FROM message WHERE mailboxID = ? ORDER BY uid
                """, arguments: [mailboxID]).map { row in
                MessageRecord(mailboxID: row["mailboxID"], uid: row["uid"], guid: row["guid"], objectKey: row["objectKey"],
                              flags: row["flags"], keywords: row["keywords"], modSeq: row["modSeq"], size: row["size"],
                              virtualSize: row["virtualSize"], internalDate: row["internalDate"], saveDate: row["saveDate"],
                              cachedFields: Data())
            }
        }
    }
}
