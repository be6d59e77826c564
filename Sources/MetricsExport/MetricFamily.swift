import CoreMetrics

/// What the Prometheus text says of a metric beyond its samples: its name, type, HELP text and, for a histogram,
/// its buckets. swift-metrics handles carry only a label, so each module declares its families as values like this
/// one and makes its handles through them (`counter`, `meter`, `timer`): the process's `PrometheusExporter` learns
/// the description before the first series of the family exists, and any other factory (a test's) ignores it.
public struct MetricFamily: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case counter
        case gauge
        /// A latency histogram in seconds (`_bucket{le=…}`, `_sum`, `_count`); `le` bounds are inclusive.
        case histogram(buckets: [Duration])

        /// The `# TYPE` word.
        public var typeName: String {
            switch self {
            case .counter: "counter"
            case .gauge: "gauge"
            case .histogram: "histogram"
            }
        }
    }

    public let name: String
    public let kind: Kind
    public let help: String

    public init(_ name: String, _ kind: Kind, help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }

    /// Latency buckets for mail work, from a cached read (a millisecond) to a slow store or a large APPEND (a minute).
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60)
    ]
}

extension MetricFamily {
    /// A counter of this family; `dimensions` are its labels.
    public func counter(_ dimensions: [(String, String)] = [], factory: any MetricsFactory) -> CoreMetrics.Counter {
        precondition(kind == .counter, "\(name) is a \(kind.typeName), not a counter")
        describe(to: factory)
        return CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
    }

    /// A gauge of this family that goes up and down (swift-metrics' `Meter`).
    public func meter(_ dimensions: [(String, String)] = [], factory: any MetricsFactory) -> Meter {
        precondition(kind == .gauge, "\(name) is a \(kind.typeName), not a gauge")
        describe(to: factory)
        return Meter(label: name, dimensions: dimensions, factory: factory)
    }

    /// A latency histogram of this family (swift-metrics' `Timer`, recorded in nanoseconds, exported in seconds).
    public func timer(_ dimensions: [(String, String)] = [], factory: any MetricsFactory) -> CoreMetrics.Timer {
        guard case .histogram = kind else { preconditionFailure("\(name) is a \(kind.typeName), not a histogram") }
        describe(to: factory)
        return CoreMetrics.Timer(label: name, dimensions: dimensions, factory: factory)
    }

    private func describe(to factory: any MetricsFactory) {
        (factory as? PrometheusExporter)?.describe(self)
    }
}
