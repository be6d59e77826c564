/// A valid mailbox name in the storage's own form: UTF-8, "/" between levels, the first level
/// "INBOX" written in capitals whatever case the client used (RFC 3501: INBOX is case-insensitive).
/// Modified UTF-7 and namespace prefixes are the protocol's business, not the storage's.
public struct MailboxName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let separator: Character = "/"
    public static let maxLevelBytes = 255
    public static let maxTotalBytes = 1024
    public static let maxDepth = 16

    public let value: String

    public static let inbox = MailboxName(trusted: "INBOX")

    private init(trusted: String) { value = trusted }

    /// Validates and normalises a name. A single trailing separator is dropped (RFC 3501: a
    /// client may CREATE "foo/" to declare that it will create names below "foo").
    public init(_ raw: String) throws(MailboxNameError) {
        var text = raw
        if text.count > 1, text.last == Self.separator { text.removeLast() }
        guard !text.isEmpty else { throw .empty }
        guard text.utf8.count <= Self.maxTotalBytes else { throw .tooLong(limit: Self.maxTotalBytes) }
        var levels = text.split(separator: Self.separator, omittingEmptySubsequences: false).map(String.init)
        guard levels.count <= Self.maxDepth else { throw .tooDeep(limit: Self.maxDepth) }
        for level in levels {
            guard !level.isEmpty else { throw .emptyLevel }
            guard level != ".", level != ".." else { throw .dotLevel }
            guard level.utf8.count <= Self.maxLevelBytes else { throw .tooLong(limit: Self.maxLevelBytes) }
            if let bad = level.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "*" || $0 == "%" }) {
                throw .forbiddenCharacter(bad)
            }
        }
        if levels[0].uppercased() == "INBOX" { levels[0] = "INBOX" }
        value = levels.joined(separator: String(Self.separator))
    }

    public var isInbox: Bool { value == "INBOX" }

    /// The names above this one, outermost first ("a/b/c" → "a", "a/b").
    public var ancestors: [String] {
        let levels = value.split(separator: Self.separator)
        return (1..<max(levels.count, 1)).map { levels[..<$0].joined(separator: String(Self.separator)) }
    }

    /// True when `other` lies below this name.
    public func isAncestor(of other: MailboxName) -> Bool {
        other.value.hasPrefix(value + String(Self.separator))
    }

    public var description: String { value }

    public static func < (lhs: MailboxName, rhs: MailboxName) -> Bool { lhs.value < rhs.value }
}

public enum MailboxNameError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case emptyLevel
    case dotLevel
    case tooLong(limit: Int)
    case tooDeep(limit: Int)
    case forbiddenCharacter(Unicode.Scalar)

    public var description: String {
        switch self {
        case .empty: return "Mailbox name is empty"
        case .emptyLevel: return "Mailbox name has an empty hierarchy level"
        case .dotLevel: return "Mailbox name levels may not be . or .."
        case .tooLong(let limit): return "Mailbox name is too long (limit \(limit) bytes)"
        case .tooDeep(let limit): return "Mailbox name has too many hierarchy levels (limit \(limit))"
        case .forbiddenCharacter(let scalar):
            return "Mailbox name contains a forbidden character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
    }
}
