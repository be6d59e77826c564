import Foundation

/// A pipeline string that cannot be built. Positions are 1-based character columns in the string.
/// Never carries credentials: the argument of a terminal driver (an S3 URL) is never quoted, and
/// any other value that looks like it holds a user or password is shown as "(redacted)".
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case unknownDriver(name: String, position: Int, known: [String])
    case missingArgument(driver: String, argument: String, position: Int)
    case badArgument(driver: String, argument: String, position: Int, value: String, expected: String)
    /// A wrapper with nothing after its arguments: every wrapper needs a parent.
    case missingParent(driver: String, position: Int)
    /// A terminal driver's factory rejected its argument.
    case driverFailed(driver: String, position: Int, detail: String)

    public var description: String {
        switch self {
        case .empty:
            return "empty storage pipeline: expected a driver such as posix:/path"
        case .unknownDriver(let name, let position, let known):
            return "storage pipeline position \(position): unknown driver \"\(Self.redacted(name))\" (expected one of \(known.joined(separator: ", ")))"
        case .missingArgument(let driver, let argument, let position):
            return "storage pipeline position \(position): \(driver) needs its \(argument)"
        case .badArgument(let driver, let argument, let position, let value, let expected):
            return "storage pipeline position \(position): bad \(driver) \(argument) \"\(value)\": expected \(expected)"
        case .missingParent(let driver, let position):
            return "storage pipeline position \(position): \(driver) needs a parent driver after its arguments (e.g. \(driver):…:posix:/path)"
        case .driverFailed(let driver, let position, let detail):
            return "storage pipeline position \(position): \(driver): \(detail)"
        }
    }

    /// A safety net for drivers' own error texts: removes the user and password of a URL
    /// argument (`scheme://USER:PASSWORD@host…`, raw or %-decoded) wherever they appear.
    static func scrub(_ detail: String, credentialsOf argument: String) -> String {
        guard let schemeEnd = argument.range(of: "://"),
            let at = argument[schemeEnd.upperBound...].firstIndex(of: "@")
        else { return detail }
        let userInfo = argument[schemeEnd.upperBound..<at]
        var secrets = userInfo.split(separator: ":").map(String.init).filter { $0.count >= 3 }
        secrets += secrets.compactMap { $0.removingPercentEncoding }
        var scrubbed = detail
        for secret in secrets.sorted(by: { $0.count > $1.count }) {
            scrubbed = scrubbed.replacingOccurrences(of: secret, with: "(redacted)")
        }
        return scrubbed
    }

    /// Values that could be (part of) a URL with credentials are not echoed.
    static func redacted(_ value: String) -> String {
        value.contains("@") || value.hasPrefix("//") || value.count > 200 ? "(redacted)" : value
    }
}

/// Thrown by a wrapper factory about one of its own arguments; the parser adds the position.
public struct PipelineArgumentError: Error, Sendable {
    public var index: Int
    public var expected: String

    public init(index: Int, expected: String) {
        self.index = index
        self.expected = expected
    }
}
