/// Failures of any pipeline layer, with the key and (for S3) the request id, so that a log line
/// or a tagged protocol error says which object failed and why. Never carries credentials.
public enum ObjectStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object does not exist (S3 404 NoSuchKey).
    case notFound(key: String)
    /// A create-only put found the key taken (S3 412 PreconditionFailed).
    case alreadyExists(key: String)
    /// The store refused our credentials or permissions (S3 403).
    case accessDenied(key: String, code: String, message: String, requestID: String?)
    /// The request was malformed or not supported (other S3 4xx); retrying will not help.
    case rejected(key: String, status: Int, code: String, message: String, requestID: String?)
    /// The store is unreachable, timed out, or answered 5xx/429/SlowDown after every retry.
    /// Temporary: the operation may succeed later (IMAP `NO [UNAVAILABLE]`, LMTP `451 4.3.0`).
    case unavailable(key: String, detail: String, requestID: String?)
    /// A local file system failure (posix driver, cache files, body files).
    case io(key: String, detail: String)
    /// Stored bytes could not be decoded (bad compression stream, truncated object).
    case corrupt(key: String, detail: String)
    /// A fault injected by the `randomfail` wrapper.
    case injectedFailure(key: String, operation: String)

    public var key: String {
        switch self {
        case .notFound(let key), .alreadyExists(let key), .io(let key, _), .corrupt(let key, _),
            .injectedFailure(let key, _):
            return key
        case .accessDenied(let key, _, _, _), .rejected(let key, _, _, _, _), .unavailable(let key, _, _):
            return key
        }
    }

    /// True when the same request may succeed later.
    public var isTemporary: Bool {
        switch self {
        case .unavailable, .injectedFailure, .io: return true
        default: return false
        }
    }

    public var description: String {
        func withRequest(_ text: String, _ requestID: String?) -> String {
            requestID.map { "\(text) (request id \($0))" } ?? text
        }
        switch self {
        case .notFound(let key): return "object \(key): not found"
        case .alreadyExists(let key): return "object \(key): already exists"
        case .accessDenied(let key, let code, let message, let requestID):
            return withRequest("object \(key): access denied: \(code): \(message)", requestID)
        case .rejected(let key, let status, let code, let message, let requestID):
            return withRequest("object \(key): rejected with HTTP \(status): \(code): \(message)", requestID)
        case .unavailable(let key, let detail, let requestID):
            return withRequest("object \(key): storage unavailable: \(detail)", requestID)
        case .io(let key, let detail): return "object \(key): I/O error: \(detail)"
        case .corrupt(let key, let detail): return "object \(key): corrupt: \(detail)"
        case .injectedFailure(let key, let operation): return "object \(key): injected \(operation) failure (randomfail)"
        }
    }
}
