import IMAPProtocol
import ObjectMail

/// CREATE with CREATE-SPECIAL-USE (RFC 6154), DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE.
extension IMAPSession {
    func create(tag: String, mailbox: String, specialUse: [String], user: MailUser) async throws {
        var name = mailbox
        if name.hasSuffix(String(MailboxName.separator)) { name.removeLast() }
        let use = specialUse.map { attribute in Self.specialUseAttributes.first { $0.lowercased() == attribute.lowercased() } }
        guard use.count <= 1, use.allSatisfy({ $0 != nil }) else {
            return tagged(tag, .no, code: .useAttribute, "Unsupported special-use attribute (one of \\All \\Archive \\Drafts \\Flagged \\Junk \\Sent \\Trash).")
        }
        try await user.createMailbox(name, specialUse: use.first ?? nil, origin: id)
        tagged(tag, .ok, "Create completed.")
    }

    func delete(tag: String, mailbox: String, user: MailUser) async throws {
        if selected?.mailbox.name == mailbox { selected = nil }
        try await user.deleteMailbox(mailbox, origin: id)
        tagged(tag, .ok, "Delete completed.")
    }

    func rename(tag: String, from: String, to: String, user: MailUser) async throws {
        try await user.renameMailbox(from, to: to, origin: id)
        tagged(tag, .ok, "Rename completed.")
    }

    func subscribe(tag: String, mailbox: String, _ subscribed: Bool, user: MailUser) async throws {
        // SUBSCRIBE needs the mailbox to exist, UNSUBSCRIBE does not (a leftover subscription must be removable).
        if subscribed { _ = try await user.mailbox(mailbox) }
        try await user.setSubscribed(mailbox, subscribed, origin: id)
        tagged(tag, .ok, subscribed ? "Subscribe completed." : "Unsubscribe completed.")
    }
}
