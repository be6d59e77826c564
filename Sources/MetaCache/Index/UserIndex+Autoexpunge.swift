import GRDB

extension UserIndex {
    /// The UIDs autoexpunge removes from a mailbox, as Dovecot 2.3 chooses them: walking in UID order, every
    /// message while more than `maxMails` remain (0: no count limit), then every message saved at or before
    /// `savedBefore` (seconds since 1970; nil: no age limit), stopping at the first one saved later. The walk
    /// stops early, so a mailbox whose oldest message is recent costs one row.
    public func autoexpungeCandidates(in mailboxID: Int64, savedBefore: Int64?, maxMails: Int) async throws -> [UInt32] {
        try await read { db in
            let count =
                maxMails > 0
                ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM message WHERE mailboxID = ?", arguments: [mailboxID]) ?? 0 : 0
            var uids: [UInt32] = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT uid, saveDate FROM message WHERE mailboxID = ? ORDER BY uid",
                arguments: [mailboxID])
            while let row = try rows.next() {
                if maxMails > 0, count - uids.count > maxMails {
                    uids.append(row[0])
                } else if let savedBefore, (row[1] as Int64) <= savedBefore {
                    uids.append(row[0])
                } else {
                    break
                }
            }
            return uids
        }
    }
}
