/// Per-session parser settings.
public struct IMAPParserOptions: Sendable, Equatable {
    /// After `ENABLE UTF8=ACCEPT` (RFC 6855) mailbox names are raw UTF-8 instead of modified UTF-7.
    public var utf8Accept: Bool
    /// Parenthesis nesting limit (search keys, lists): deep nesting is an attack, never a real client.
    public var maxNestingDepth: Int

    public init(utf8Accept: Bool = false, maxNestingDepth: Int = 32) {
        self.utf8Accept = utf8Accept
        self.maxNestingDepth = maxNestingDepth
    }
}
