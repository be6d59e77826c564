import Metrics
import MetricsExport

/// Every S3 attempt (retries included: each one is billed), recorded once through swift-metrics: into the process's
/// `MetricsSystem` factory by default, which `GET /metrics` renders, or into a factory of the client's own whose
/// figures must stand alone (benchmarks, tests).
public struct S3Metrics: Sendable {
    public static let requests = MetricFamily(
        "objectmail_s3_requests_total", .counter,
        help: "S3 HTTP requests sent, retries included, by operation, HTTP method and status class")
    public static let duration = MetricFamily(
        "objectmail_s3_request_duration_seconds", .histogram(buckets: MetricFamily.latencyBuckets),
        help: "Time from sending an S3 request to its complete answer, by operation")
    public static let bytesSent = MetricFamily("objectmail_s3_sent_bytes_total", .counter, help: "Request body bytes uploaded to S3")
    public static let bytesReceived = MetricFamily(
        "objectmail_s3_received_bytes_total", .counter,
        help: "Response body bytes downloaded from S3")

    /// `2xx` … `5xx` by the answer's status, `error` when no HTTP answer came (connection failure, timeout).
    enum StatusClass: String, CaseIterable, Sendable {
        case informational = "1xx"
        case success = "2xx"
        case redirection = "3xx"
        case clientError = "4xx"
        case serverError = "5xx"
        case error

        init(_ status: Int?) {
            switch status.map({ $0 / 100 }) {
            case 1: self = .informational
            case 2: self = .success
            case 3: self = .redirection
            case 4: self = .clientError
            case 5: self = .serverError
            default: self = .error
            }
        }
    }

    struct RequestKey: Hashable, Sendable {
        var operation: S3Operation
        var status: StatusClass
    }

    public let factory: any MetricsFactory
    private let requestCounters: MetricTable<RequestKey, CoreMetrics.Counter>
    private let timers: MetricTable<S3Operation, CoreMetrics.Timer>
    private let sentCounters: MetricTable<S3Operation, CoreMetrics.Counter>
    private let receivedCounters: MetricTable<S3Operation, CoreMetrics.Counter>

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        let keys = S3Operation.allCases.flatMap { operation in StatusClass.allCases.map { RequestKey(operation: operation, status: $0) } }
        requestCounters = MetricTable(keys) { key in
            Self.requests.counter(
                [("operation", key.operation.rawValue), ("method", key.operation.method), ("status", key.status.rawValue)],
                factory: factory)
        }
        timers = MetricTable(S3Operation.allCases) { Self.duration.timer([("operation", $0.rawValue)], factory: factory) }
        sentCounters = MetricTable(S3Operation.allCases) { Self.bytesSent.counter([("operation", $0.rawValue)], factory: factory) }
        receivedCounters = MetricTable(S3Operation.allCases) { Self.bytesReceived.counter([("operation", $0.rawValue)], factory: factory) }
    }

    /// `status` is nil when no HTTP answer came.
    func record(operation: S3Operation, status: Int?, elapsed: Duration, sent: Int64, received: Int64) {
        requestCounters[RequestKey(operation: operation, status: StatusClass(status))].increment()
        timers[operation].record(duration: elapsed)
        if sent > 0 { sentCounters[operation].increment(by: sent) }
        if received > 0 { receivedCounters[operation].increment(by: received) }
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
