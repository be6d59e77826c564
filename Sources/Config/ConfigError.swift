/// A configuration that cannot be used. The text names file:line and, where it can, what was meant.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.location = location
        self.message = message
    }

    public var description: String {
        guard let location else { return message }
        return "Error in configuration file \(location.file) line \(location.line): \(message)"
    }
}
