import GRDB

/// What one mailbox holds, for quota.
public struct MailboxUsage: Sendable, Equatable {
    public var messages: Int64
    /// Physical bytes (the stored objects' sizes).
    public var bytes: Int64

    public init(messages: Int64, bytes: Int64) {
        self.messages = messages
        self.bytes = bytes
    }
}

extension UserIndex {
    /// Messages and bytes per mailbox name, from the `message_sizes` index alone. A message copied into two
    /// mailboxes counts twice, as in Dovecot's count backend: both copies are the user's mail.
    public func usageByMailbox() async throws -> [String: MailboxUsage] {
        try await read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT mailbox.name, usage.messages, usage.bytes
                    FROM (SELECT mailboxID, COUNT(*) AS messages, TOTAL(size) AS bytes FROM message GROUP BY mailboxID) AS usage
                    JOIN mailbox ON mailbox.id = usage.mailboxID
                    """)
            var usage: [String: MailboxUsage] = [:]
            let rows = try Row.fetchCursor(statement)
            while let row = try rows.next() {
                usage[row[0]] = MailboxUsage(messages: row[1], bytes: Int64(row[2] as Double))
            }
            return usage
        }
    }
}
