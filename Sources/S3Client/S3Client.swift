import Crypto
import Foundation
import Logging

/// An S3 client on libcurl's multi interface: SigV4, path- or virtual-host-style addressing,
/// Dovecot's retry and timeout rules, bounded parallelism and bodies streamed from/to files.
/// Knows nothing about mail. Create one per endpoint and share it; all methods are thread-safe.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    /// Requests sent per operation type, retries included, their times and bytes.
    public let metrics: S3Metrics
    let logger: Logger
    private let engine: CurlEngine
    private let signer: S3Signer?

    /// Dovecot's backoff between retries; the last step repeats.
    static let retryDelaysMs = [50, 500, 5_000, 10_000]

    public init(configuration: S3Configuration, logger: Logger, metrics: S3Metrics = S3Metrics()) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        signer = configuration.credentials.map { S3Signer(credentials: $0, region: configuration.region) }
        engine = CurlEngine(maxInFlight: configuration.maxInFlight)
    }

    /// `https://ACCESSKEY:SECRET@host[:port]/[bucket/]?params` — see `S3Configuration.init(url:)`.
    public convenience init(url: String, logger: Logger, metrics: S3Metrics = S3Metrics()) throws(S3ConfigurationError) {
        self.init(configuration: try S3Configuration(url: url), logger: logger, metrics: metrics)
    }

    /// Fails every waiting and running request with a `.shutdown` error. Also happens on deinit.
    public func shutdown() { engine.shutdown() }

    // MARK: Building requests

    /// The bucket name (for `x-amz-copy-source`); for virtual-host style the host name's first label.
    var bucketName: String {
        switch configuration.style {
        case .path(let bucket): return bucket
        case .virtualHost: return String(configuration.host.prefix { $0 != "." })
        }
    }

    /// The encoded request path for `key` (nil: the bucket itself).
    func encodedPath(for key: String?) -> String {
        var path = ""
        if case .path(let bucket) = configuration.style { path = "/" + S3PercentEncoding.encode(bucket) }
        guard let key else { return path.isEmpty ? "/" : path }
        return path + "/" + S3PercentEncoding.encode(configuration.keyPrefix + key, keepSlash: true)
    }

    struct RequestSpec {
        var operation: S3Operation
        var key: String?
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body: HTTPRequest.Body = .none
        var payloadHash = S3Signer.emptyPayloadHash
        var sink: HTTPRequest.Sink = .memory

        var method: String { operation.method }
    }

    /// A signed, ready-to-send request; signed again for every attempt so `x-amz-date` stays fresh.
    private func signedRequest(_ spec: RequestSpec, deadline: ContinuousClock.Instant?) -> HTTPRequest {
        let path = encodedPath(for: spec.key)
        let query = spec.query.map { (S3PercentEncoding.encode($0.0), S3PercentEncoding.encode($0.1)) }
        let queryString = S3Signer.canonicalQuery(query)
        let now = Date()
        var headers = spec.headers + configuration.additionalHeaders.map { ($0.name, $0.value) }
        headers.append(("Host", configuration.hostHeader))
        headers.append(("x-amz-date", S3Signer.timestamps(now).amzDate))
        headers.append(("x-amz-content-sha256", spec.payloadHash))
        if let signer {
            let authorization = signer.authorization(
                method: spec.method, encodedPath: path, encodedQuery: query,
                headers: headers, payloadHash: spec.payloadHash, date: now)
            headers.append(("Authorization", authorization))
        }
        var lines = headers.map { "\($0.0): \($0.1)" }
        var idleTimeout = configuration.effectiveReadTimeoutMs
        switch spec.operation {
        case .delete, .deleteObjects: idleTimeout = configuration.effectiveDeleteTimeoutMs
        case .put: idleTimeout = max(idleTimeout, configuration.effectiveWriteTimeoutMs)
        default: break
        }
        if spec.method == "PUT" || spec.method == "POST" {
            lines.append("Expect:") // no 100-continue round trip
        }
        let url = "\(configuration.scheme)://\(configuration.hostHeader)\(path)" + (queryString.isEmpty ? "" : "?\(queryString)")
        return HTTPRequest(
            method: spec.method, url: url, headers: lines, body: spec.body, sink: spec.sink,
            connectTimeoutMs: configuration.effectiveConnectTimeoutMs, idleTimeoutMs: idleTimeout,
            deadline: deadline, verifyTLS: configuration.verifyTLS)
    }

    // MARK: Sending with retries

    /// Sends the request, retrying as Dovecot does, and returns the first 2xx response.
    /// Every attempt and every pause between them ends by `absolute_timeout` and by the client operation's
    /// deadline (`OperationDeadline.current`), whichever comes first. Throws `S3Error` (or `CancellationError`).
    func execute(_ spec: RequestSpec, acceptStatus: (Int) -> Bool = { (200..<300).contains($0) }) async throws -> HTTPResponse {
        let clock = ContinuousClock()
        let started = clock.now
        let absolute = configuration.absoluteTimeoutMs.map { started + .milliseconds($0) }
        let key = spec.key ?? ""
        var attempts = 0
        var connectRetries = 0
        var otherRetries = 0
        var lastError: S3Error?
        while true {
            attempts += 1
            let limit = OperationDeadline.earliest(absolute)
            if let limit, limit <= clock.now {
                throw deadlineError(spec, key: key, absolute: absolute, attempts: attempts - 1, last: lastError)
            }
            let attemptStarted = clock.now
            var error: S3Error
            var connecting = false
            let sent = S3Metrics.bodySize(spec.body)
            do {
                let response = try await engine.perform(signedRequest(spec, deadline: limit))
                metrics.record(
                    operation: spec.operation, status: response.status,
                    elapsed: clock.now - attemptStarted, sent: sent,
                    received: response.status == 304 || spec.method == "HEAD" ? 0 : S3Metrics.receivedSize(response))
                warnIfSlow(spec, key: key, since: attemptStarted, requestID: response.headers["x-amz-request-id"])
                if acceptStatus(response.status) {
                    // The store answered: the client's operation may take its next step.
                    OperationDeadline.current?.progressed()
                    return response
                }
                error = serviceError(response, operation: spec.operation, key: key)
            } catch let failure as HTTPTransportFailure {
                metrics.record(
                    operation: spec.operation, status: nil,
                    elapsed: clock.now - attemptStarted, sent: 0, received: 0)
                (error, connecting) = transportError(failure, operation: spec.operation, key: key)
            }
            error.attempts = attempts
            guard error.isRetryable else { throw error }
            if connecting { connectRetries += 1 } else { otherRetries += 1 }
            if connectRetries > configuration.effectiveMaxConnectRetries || otherRetries > configuration.maxRetries {
                throw error
            }
            let delayMs = Self.retryDelaysMs[min(connectRetries + otherRetries - 1, Self.retryDelaysMs.count - 1)]
            if let limit = OperationDeadline.earliest(absolute), clock.now + .milliseconds(delayMs) >= limit { throw error }
            lastError = error
            logger.warning(
                "S3 request failed, retrying",
                metadata: [
                    "operation": "\(spec.operation.rawValue)", "key": "\(key)", "error": "\(error)", "retry_in_ms": "\(delayMs)"
                ])
            try await Task.sleep(for: .milliseconds(delayMs))
        }
    }

    /// The timeout error when `absolute_timeout` or the operation's deadline passed before another attempt.
    private func deadlineError(
        _ spec: RequestSpec, key: String, absolute: ContinuousClock.Instant?, attempts: Int,
        last: S3Error?
    ) -> S3Error {
        let after = last.map { "; last failure: \($0.code): \($0.message)" } ?? ""
        if let absolute, absolute <= .now {
            return S3Error(
                kind: .timeout, operation: spec.operation, key: key, code: "AbsoluteTimeout",
                message: "absolute_timeout of \(configuration.absoluteTimeoutMs!) ms exceeded" + after, attempts: attempts)
        }
        let budget = OperationDeadline.current.map { "\($0.budget)" } ?? "?"
        return S3Error(
            kind: .timeout, operation: spec.operation, key: key, code: "DeadlineExceeded",
            message: "the client operation's deadline (mail_operation_deadline, \(budget)) passed" + after, attempts: attempts)
    }

    private func warnIfSlow(_ spec: RequestSpec, key: String, since start: ContinuousClock.Instant, requestID: String?) {
        let elapsed = ContinuousClock.now - start
        guard elapsed > .milliseconds(configuration.slowWarnMs) else { return }
        logger.warning(
            "slow S3 request",
            metadata: [
                "operation": "\(spec.operation.rawValue)", "key": "\(key)", "duration": "\(elapsed)",
                "request_id": "\(requestID ?? "-")"
            ])
    }

    /// A typed error from a non-2xx answer: S3's error XML if any, else a code from the status.
    func serviceError(_ response: HTTPResponse, operation: S3Operation, key: String) -> S3Error {
        let xml = S3XMLElement.parse(response.body)
        let status = response.status
        let fallbackCode: String
        switch status {
        case 404: fallbackCode = "NoSuchKey"
        case 403: fallbackCode = "AccessDenied"
        case 412: fallbackCode = "PreconditionFailed"
        case 503: fallbackCode = "ServiceUnavailable"
        default: fallbackCode = "HTTP\(status)"
        }
        return S3Error(
            kind: .service(status: status), operation: operation, key: key,
            code: xml?.text("Code") ?? fallbackCode,
            message: xml?.text("Message") ?? "HTTP status \(status)",
            requestID: response.headers["x-amz-request-id"] ?? xml?.text("RequestId"))
    }

    private func transportError(_ failure: HTTPTransportFailure, operation: S3Operation, key: String) -> (S3Error, Bool) {
        switch failure.reason {
        case .curl(let code, let connecting):
            return (
                S3Error(
                    kind: .transport(curlCode: code, connecting: connecting), operation: operation, key: key,
                    code: connecting ? "ConnectionFailed" : "TransferFailed", message: failure.message), connecting
            )
        case .timeout(let connecting):
            return (S3Error(kind: .timeout, operation: operation, key: key, code: "Timeout", message: failure.message), connecting)
        case .localFile:
            return (S3Error(kind: .localFile, operation: operation, key: key, code: "LocalFile", message: failure.message), false)
        case .shutdown:
            return (S3Error(kind: .shutdown, operation: operation, key: key, code: "Shutdown", message: failure.message), false)
        }
    }
}
