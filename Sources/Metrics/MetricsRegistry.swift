import Synchronization

/// The process's counters and gauges, rendered for `GET /metrics` (Dovecot's `service stats` HTTP listener).
///
/// A plain lock-protected table rather than a swift-metrics backend: the figures come from modules
/// (S3Client, Server) that must not pull in a metrics framework, and updating one is a dictionary write.
/// Every family must be described (`MetricFamily`) so the output carries HELP and TYPE lines.
public final class MetricsRegistry: Sendable {
    /// The process-wide registry the server's modules record into.
    public static let shared = MetricsRegistry()

    /// Figures read when `/metrics` is rendered, for modules that already keep their own counts
    /// (the fscache's statistics) and should not pay a registry update on their hot path.
    public typealias Collector = @Sendable () -> [MetricSample]

    private struct State {
        var families: [String: MetricFamily] = [:]
        var values: [String: [MetricLabels: Double]] = [:]
        var collectors: [Collector] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds `amount` to a counter (or a gauge, when negative) with these labels.
    public func add(_ family: MetricFamily, _ amount: Double = 1, labels: MetricLabels = [:]) {
        state.withLock { state in
            state.families[family.name] = family
            state.values[family.name, default: [:]][labels, default: 0] += amount
        }
    }

    /// Records one observation of a summary: its `_sum` grows by `value` and its `_count` by one.
    public func observe(_ family: MetricFamily, _ value: Double, labels: MetricLabels = [:]) {
        state.withLock { state in
            state.families[family.name] = family
            state.values[family.name + "_sum", default: [:]][labels, default: 0] += value
            state.values[family.name + "_count", default: [:]][labels, default: 0] += 1
        }
    }

    public func register(_ collector: @escaping Collector) {
        state.withLock { $0.collectors.append(collector) }
    }

    /// The current value of one series (0 when never recorded).
    public func value(_ name: String, labels: MetricLabels = [:]) -> Double {
        state.withLock { $0.values[name]?[labels] ?? 0 }
    }

    /// The sum of every series of `name` whose labels include all of `labels` (all series by default): what a
    /// PromQL `sum(name{labels})` gives. Collectors' figures are not included.
    public func total(_ name: String, matching labels: MetricLabels = [:]) -> Double {
        state.withLock { state in
            (state.values[name] ?? [:]).reduce(0) { sum, series in
                labels.pairs.allSatisfy { series.key.pairs[$0.key] == $0.value } ? sum + series.value : sum
            }
        }
    }

    /// The Prometheus text exposition format (version 0.0.4), families and series in a stable order.
    public func render() -> String {
        var (families, values, collectors) = state.withLock { ($0.families, $0.values, $0.collectors) }
        // Collectors run outside the lock: they take their own modules' locks.
        for sample in collectors.flatMap({ $0() }) {
            families[sample.family.name] = sample.family
            values[sample.family.name, default: [:]][sample.labels, default: 0] += sample.value
        }
        var text = ""
        for family in families.values.sorted(by: { $0.name < $1.name }) {
            text += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n# TYPE \(family.name) \(family.type.rawValue)\n"
            let names = family.type == .summary ? [family.name + "_sum", family.name + "_count"] : [family.name]
            for name in names {
                for (labels, value) in (values[name] ?? [:]).sorted(by: { $0.key.rendered < $1.key.rendered }) {
                    text += "\(name)\(labels.rendered) \(Self.format(value))\n"
                }
            }
        }
        return text
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escapeHelp(_ help: String) -> String {
        help.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }
}

/// One value produced by a `Collector` (counters and gauges; several samples of one series add up).
public struct MetricSample: Sendable {
    public var family: MetricFamily
    public var labels: MetricLabels
    public var value: Double

    public init(_ family: MetricFamily, _ value: Double, labels: MetricLabels = [:]) {
        self.family = family
        self.labels = labels
        self.value = value
    }
}

/// A metric's name, kind and help text.
public struct MetricFamily: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case counter, gauge, summary
    }

    public let name: String
    public let type: Kind
    public let help: String

    public init(_ name: String, _ type: Kind, help: String) {
        self.name = name
        self.type = type
        self.help = help
    }
}

/// A series' label set, such as `method="GET",status="2xx"`.
public struct MetricLabels: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public let pairs: [String: String]

    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// `{a="1",b="2"}` sorted by name, or nothing without labels; values escaped as the format requires.
    var rendered: String {
        guard !pairs.isEmpty else { return "" }
        let inner = pairs.sorted { $0.key < $1.key }.map { name, value in
            "\(name)=\"\(value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n"))\""
        }
        return "{" + inner.joined(separator: ",") + "}"
    }
}

extension String {
    /// Foundation-free replacement, so this module depends on nothing.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
