/// A message's number in one session's view of the selected mailbox (RFC 9051 §2.3.1.2): 1-based, and renumbered
/// when an EXPUNGE is announced. UIDs are plain `UInt32` everywhere (they are the only identifiers below the
/// session); a sequence number is a type of its own, so the two can never be passed for each other where they meet
/// (the session's view, FETCH/EXPUNGE responses, SEARCH results).
public struct SequenceNumber: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public let rawValue: UInt32

    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// For literals in tests and fixed responses; a UID held in a variable still cannot pass for a sequence number.
    public init(integerLiteral value: UInt32) {
        self.rawValue = value
    }

    /// The number of the message at `position` (0-based) in a view.
    public init(position: Int) {
        self.rawValue = UInt32(position + 1)
    }

    /// The message's 0-based position in the view.
    public var position: Int { Int(rawValue) - 1 }

    public var description: String { String(rawValue) }

    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool { lhs.rawValue < rhs.rawValue }
}
