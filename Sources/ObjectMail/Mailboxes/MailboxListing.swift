/// One line of a mailbox listing: a mailbox that exists, or a name that only exists because
/// mailboxes below it do (shown as \Noselect, or \NonExistent with LIST-EXTENDED).
public struct MailboxListing: Sendable, Equatable {
    public var name: MailboxName
    public var exists: Bool
    public var hasChildren: Bool
    public var subscribed: Bool
    /// `\Sent`, `\Trash` …: from the mailbox itself or from the configuration.
    public var specialUse: String?

    public init(name: MailboxName, exists: Bool, hasChildren: Bool, subscribed: Bool, specialUse: String?) {
        self.name = name
        self.exists = exists
        self.hasChildren = hasChildren
        self.subscribed = subscribed
        self.specialUse = specialUse
    }
}
