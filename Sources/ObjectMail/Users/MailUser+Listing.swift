import MetaCache

extension MailUser {
    /// The mailbox's messages without their cached MIME fields (POP3's snapshot): index only.
    public func messageListing(in mailbox: Mailbox) async throws -> [MessageSummary] {
        try await mapErrors { try await index.messageListing(in: mailbox.id.value) }.map(MessageSummary.init)
    }
}
