import MetaCache

extension MailUser {
    /// Every subscribed name, including names of mailboxes that do not exist (LIST (SUBSCRIBED) shows them
    /// as \NonExistent, RFC 5258).
    public func subscribedNames() async throws -> [String] {
        try await mapErrors { try await index.subscriptions() }
    }
}
