extension MailUser {
    /// Throws `StorageError.quotaExceeded` when one message of `bytes` would not fit into `mailbox`: IMAP asks
    /// before it accepts a large APPEND literal, so an over-quota client is refused before it sends the body
    /// (Dovecot's quota plugin does the same when the save begins). The save itself checks again.
    public func checkQuotaBeforeReceiving(bytes: Int64, into mailbox: String) async throws {
        // A mailbox that does not exist is the save's to refuse ([TRYCREATE]); quota rules name mailboxes as stored.
        guard let record = try? await self.mailbox(mailbox) else { return }
        try await checkQuota(adding: 1, bytes: bytes, into: record.name, grace: false)
    }
}
