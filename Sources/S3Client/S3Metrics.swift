import Metrics

/// Every S3 attempt (retries included: each one is billed), counted once, in a `MetricsRegistry`: the process's
/// by default, which `GET /metrics` renders; a registry of its own for a client whose counts must stand alone
/// (benchmarks, tests).
public struct S3Metrics: Sendable {
    static let requests = MetricFamily(
        "objectmail_s3_requests_total", .counter,
        help: "S3 HTTP requests sent, retries included, by operation, HTTP method and status class")
    static let duration = MetricFamily(
        "objectmail_s3_request_duration_seconds", .summary,
        help: "Time from sending an S3 request to its complete answer, by operation")
    static let bytesSent = MetricFamily("objectmail_s3_sent_bytes_total", .counter, help: "Request body bytes uploaded to S3")
    static let bytesReceived = MetricFamily(
        "objectmail_s3_received_bytes_total", .counter,
        help: "Response body bytes downloaded from S3")

    public let registry: MetricsRegistry

    public init(registry: MetricsRegistry = .shared) {
        self.registry = registry
    }

    /// Requests sent for `operation` so far, whatever their answer.
    public func count(_ operation: S3Operation) -> Int {
        Int(registry.total(Self.requests.name, matching: ["operation": operation.rawValue]))
    }

    /// Requests sent for every operation.
    public var total: Int { Int(registry.total(Self.requests.name)) }

    /// `status` is nil when no HTTP answer came (connection failure, timeout): class `error`.
    func record(operation: S3Operation, method: String, status: Int?, elapsed: Duration, sent: Int64, received: Int64) {
        let statusClass = status.map { "\($0 / 100)xx" } ?? "error"
        registry.add(Self.requests, labels: ["operation": operation.rawValue, "method": method, "status": statusClass])
        let (whole, attoseconds) = elapsed.components
        registry.observe(Self.duration, Double(whole) + Double(attoseconds) / 1e18, labels: ["operation": operation.rawValue])
        if sent > 0 { registry.add(Self.bytesSent, Double(sent), labels: ["operation": operation.rawValue]) }
        if received > 0 { registry.add(Self.bytesReceived, Double(received), labels: ["operation": operation.rawValue]) }
    }

    static func bodySize(_ body: HTTPRequest.Body) -> Int64 {
        switch body {
        case .none: return 0
        case .bytes(let bytes): return Int64(bytes.count)
        case .file(_, let size): return size
        }
    }

    /// A file sink leaves the body out of the response: its Content-Length says how much came.
    static func receivedSize(_ response: HTTPResponse) -> Int64 {
        if !response.body.isEmpty { return Int64(response.body.count) }
        return response.headers["content-length"].flatMap { Int64($0) } ?? 0
    }
}
