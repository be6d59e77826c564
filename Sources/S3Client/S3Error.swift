/// The kinds of S3 request, for metrics and errors.
public enum S3Operation: String, Sendable, CaseIterable, Hashable {
    case put = "PUT"
    case get = "GET"
    case head = "HEAD"
    case delete = "DELETE"
    case deleteObjects = "DeleteObjects"
    case copy = "COPY"
    case list = "LIST"

    /// The HTTP method its requests use: a LIST is a GET of the bucket, a multi-object delete a POST, a copy a PUT.
    public var method: String {
        switch self {
        case .put, .copy: "PUT"
        case .get, .list: "GET"
        case .head: "HEAD"
        case .delete: "DELETE"
        case .deleteObjects: "POST"
        }
    }
}

/// A failed S3 operation (after any retries), with the S3 error code, message and request id.
/// Never contains credentials or signed URLs.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server answered with this HTTP status (and usually an error XML body).
        case service(status: Int)
        /// No usable answer: connection refused or reset, DNS failure, TLS failure (libcurl error code).
        case transport(curlCode: Int, connecting: Bool)
        /// A read/write/connect inactivity timeout or the absolute timeout expired.
        case timeout
        /// The client was shut down while the request waited or ran.
        case shutdown
        /// A local body file could not be read or a download file could not be written.
        case localFile
        /// The server's answer could not be understood (malformed XML, missing fields).
        case invalidResponse
    }

    public var kind: Kind
    public var operation: S3Operation
    public var key: String
    /// S3's error code (`NoSuchKey`, `SlowDown` …) or a short local name (`ConnectionFailed`).
    public var code: String
    public var message: String
    public var requestID: String?
    /// HTTP requests made, including the failed last one.
    public var attempts: Int = 1

    public init(
        kind: Kind, operation: S3Operation, key: String, code: String, message: String,
        requestID: String? = nil, attempts: Int = 1
    ) {
        self.kind = kind
        self.operation = operation
        self.key = key
        self.code = code
        self.message = message
        self.requestID = requestID
        self.attempts = attempts
    }

    public var status: Int? {
        if case .service(let status) = kind { return status }
        return nil
    }

    /// Dovecot's retry rule: 5xx, 429, SlowDown, timeouts and transport failures; never other 4xx.
    public var isRetryable: Bool {
        switch kind {
        case .service(let status): return status >= 500 || status == 429 || code == "SlowDown"
        case .transport, .timeout: return true
        case .shutdown, .localFile, .invalidResponse: return false
        }
    }

    public var description: String {
        var text = "S3 \(operation.rawValue) \(key.isEmpty ? "(bucket)" : key) failed"
        if let status { text += " with HTTP \(status)" }
        text += ": \(code): \(message)"
        if let requestID { text += " (request id \(requestID))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }
}
