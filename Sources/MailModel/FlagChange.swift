/// A STORE: which flags and keywords to add, remove or set.
public struct FlagChange: Sendable, Equatable {
    public enum Operation: Sendable, Equatable { case add, remove, replace }

    public var operation: Operation
    public var flags: MessageFlags
    public var keywords: [String]

    public init(_ operation: Operation, flags: MessageFlags, keywords: [String] = []) {
        self.operation = operation
        self.flags = flags
        self.keywords = keywords
    }
}
