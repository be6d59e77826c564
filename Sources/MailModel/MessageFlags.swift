/// The IMAP system flags, stored as a bit mask. \Recent is not one of them: it is a property of a session
/// (the index hands each new message's \Recent to one session).
public struct MessageFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let seen = MessageFlags(rawValue: 1 << 0)
    public static let answered = MessageFlags(rawValue: 1 << 1)
    public static let flagged = MessageFlags(rawValue: 1 << 2)
    public static let deleted = MessageFlags(rawValue: 1 << 3)
    public static let draft = MessageFlags(rawValue: 1 << 4)

    /// IMAP names in a stable order.
    public static let names: [(MessageFlags, String)] = [
        (.answered, "\\Answered"), (.flagged, "\\Flagged"), (.deleted, "\\Deleted"), (.seen, "\\Seen"), (.draft, "\\Draft")
    ]

    /// The flag an IMAP name stands for (case-insensitive), or nil for a keyword.
    public init?(imapName: String) {
        let lower = imapName.lowercased()
        guard let match = Self.names.first(where: { $0.1.lowercased() == lower }) else { return nil }
        self = match.0
    }

    public var imapNames: [String] { Self.names.filter { contains($0.0) }.map(\.1) }
}
