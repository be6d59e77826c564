/// One HTTP request ready for the wire: signed, with the exact URL and header lines to send.
struct HTTPRequest: Sendable {
    enum Body: Sendable {
        case none
        case bytes([UInt8])
        /// Streamed from the file with libcurl's read callback, never loaded whole.
        case file(path: String, size: Int64)
    }

    enum Sink: Sendable {
        case memory
        /// A 2xx body goes into this file (created on the first byte or at the end); error bodies go to memory.
        case file(path: String)
    }

    var method: String
    var url: String
    /// `Name: value` lines.
    var headers: [String]
    var body: Body = .none
    var sink: Sink = .memory
    var connectTimeoutMs: Int
    /// Abort when no byte moved for this long (libcurl's low-speed limit; second granularity).
    var idleTimeoutMs: Int
    /// Hard limit for this attempt (`absolute_timeout`, the operation's deadline), counted from before the request
    /// waited for a free transfer slot; nil: none.
    var deadline: ContinuousClock.Instant?
    var verifyTLS: Bool
}

struct HTTPResponse: Sendable {
    var status: Int
    /// Lower-case names; the last value wins.
    var headers: [String: String]
    /// The body for a memory sink, or the error body for a file sink with a non-2xx status.
    var body: [UInt8]
}

/// A transfer that produced no HTTP answer.
struct HTTPTransportFailure: Error, Sendable {
    enum Reason: Sendable {
        case curl(code: Int, connecting: Bool)
        case timeout(connecting: Bool)
        case localFile
        case shutdown
    }

    var reason: Reason
    var message: String
}
