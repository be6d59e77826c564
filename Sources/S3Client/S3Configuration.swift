/// Access key and secret. `description` never shows the secret.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKey: String
    public var secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    public var description: String { "S3Credentials(accessKey: \(accessKey), secretKey: <redacted>)" }
}

/// Everything an `S3Client` needs, usually parsed from a Dovecot-style URL:
/// `https://ACCESSKEY:SECRET@host[:port]/[bucket/]?region=…&timeout=…` (see `init(url:)`).
/// Durations are milliseconds, as in Dovecot's `*_timeout` parameters.
public struct S3Configuration: Sendable, Equatable, CustomStringConvertible {
    public enum AddressingStyle: Sendable, Equatable {
        /// `https://host/bucket/key`
        case path(bucket: String)
        /// `https://bucket.host/key`: the host name already names the bucket.
        case virtualHost
    }

    /// `http` or `https`.
    public var scheme: String
    public var host: String
    public var port: Int?
    public var style: AddressingStyle
    /// Prepended to every key (the URL path after the bucket), e.g. `tenant1/`; usually empty.
    public var keyPrefix: String
    public var credentials: S3Credentials?
    public var region: String = "us-east-1"

    /// Default for the connect, read and write timeouts (Dovecot `timeout`, 10 s).
    public var timeoutMs: Int = 10_000
    public var connectTimeoutMs: Int?
    public var readTimeoutMs: Int?
    public var writeTimeoutMs: Int?
    /// Inactivity timeout for DELETE and DeleteObjects (Dovecot `delete_timeout`).
    public var deleteTimeoutMs: Int?
    /// Hard limit for one operation including every retry (Dovecot `absolute_timeout`); nil: none.
    public var absoluteTimeoutMs: Int?
    /// Retries after 5xx, 429, SlowDown and transport failures (Dovecot `max_retries`, default 4).
    public var maxRetries: Int = 4
    /// Retries after failures to connect; nil: `maxRetries`.
    public var maxConnectRetries: Int?
    /// Extra headers sent (and signed) on every request (Dovecot `addhdr=Name:Value`, repeatable).
    public var additionalHeaders: [(name: String, value: String)] = []
    /// Requests slower than this are logged as warnings (Dovecot `slow_warn`, default 5 s).
    public var slowWarnMs: Int = 5_000
    /// Keys per DeleteObjects request (Dovecot `bulk_delete_limit`, S3 allows at most 1000).
    public var bulkDeleteLimit: Int = 1000
    /// Requests on the wire at once; further ones wait in a queue (`max_parallel`, default 64).
    public var maxInFlight: Int = 64
    /// Verify the server's TLS certificate (`ssl_verify=no` turns it off, for test setups only).
    public var verifyTLS: Bool = true

    public init(
        scheme: String = "https", host: String, port: Int? = nil, style: AddressingStyle,
        keyPrefix: String = "", credentials: S3Credentials?, region: String = "us-east-1"
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.style = style
        self.keyPrefix = keyPrefix
        self.credentials = credentials
        self.region = region
    }

    public var effectiveConnectTimeoutMs: Int { connectTimeoutMs ?? timeoutMs }
    public var effectiveReadTimeoutMs: Int { readTimeoutMs ?? timeoutMs }
    public var effectiveWriteTimeoutMs: Int { writeTimeoutMs ?? timeoutMs }
    public var effectiveDeleteTimeoutMs: Int { deleteTimeoutMs ?? effectiveReadTimeoutMs }
    public var effectiveMaxConnectRetries: Int { maxConnectRetries ?? maxRetries }

    /// The `Host` header: the port only when it is not the scheme's default.
    public var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        guard let port, port != (scheme == "https" ? 443 : 80) else { return bracketed }
        return "\(bracketed):\(port)"
    }

    /// The endpoint without credentials, for logs and errors.
    public var description: String {
        var text = "\(scheme)://\(hostHeader)/"
        if case .path(let bucket) = style { text += "\(bucket)/" }
        return text + keyPrefix
    }

    public static func == (lhs: S3Configuration, rhs: S3Configuration) -> Bool {
        lhs.scheme == rhs.scheme && lhs.host == rhs.host && lhs.port == rhs.port && lhs.style == rhs.style
            && lhs.keyPrefix == rhs.keyPrefix && lhs.credentials == rhs.credentials && lhs.region == rhs.region
            && lhs.timeoutMs == rhs.timeoutMs && lhs.connectTimeoutMs == rhs.connectTimeoutMs
            && lhs.readTimeoutMs == rhs.readTimeoutMs && lhs.writeTimeoutMs == rhs.writeTimeoutMs
            && lhs.deleteTimeoutMs == rhs.deleteTimeoutMs && lhs.absoluteTimeoutMs == rhs.absoluteTimeoutMs
            && lhs.maxRetries == rhs.maxRetries && lhs.maxConnectRetries == rhs.maxConnectRetries
            && lhs.additionalHeaders.map { "\($0.name):\($0.value)" } == rhs.additionalHeaders.map { "\($0.name):\($0.value)" }
            && lhs.slowWarnMs == rhs.slowWarnMs && lhs.bulkDeleteLimit == rhs.bulkDeleteLimit
            && lhs.maxInFlight == rhs.maxInFlight && lhs.verifyTLS == rhs.verifyTLS
    }
}

/// A malformed S3 URL. Never echoes the URL itself, which may hold a secret.
public struct S3ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "invalid S3 URL: \(reason)" }
}
