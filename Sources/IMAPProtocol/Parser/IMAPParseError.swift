/// A malformed command. The session answers `tag BAD message` (or `* BAD` when no tag could be read).
public struct IMAPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The tag, when the line got that far.
    public var tag: String?
    /// A short English reason, safe to send to the client (it never quotes a password).
    public var message: String

    public init(tag: String? = nil, message: String) {
        self.tag = tag
        self.message = message
    }

    public var description: String { "\(tag ?? "*") BAD \(message)" }
}
