import CoreMetrics
import Prometheus
import Synchronization

/// The process's metrics backend: a swift-metrics factory over one swift-prometheus registry, which `GET /metrics`
/// renders (Dovecot's `service stats` HTTP listener). The executable makes one and bootstraps `MetricsSystem` with
/// it; tests make their own and pass it as the `factory:` of the handles they check.
///
/// swift-metrics has no HELP texts or buckets, so the exporter keeps the `MetricFamily` descriptions the modules'
/// handles were made through and gives them to the registry; a label nobody described is exported without HELP,
/// and a `Timer` of such a label as a histogram with `MetricFamily.latencyBuckets`.
public final class PrometheusExporter: MetricsFactory, Sendable {
    /// Figures read when `/metrics` is rendered: see `MetricSample`.
    public typealias Collector = @Sendable () -> [MetricSample]

    private let registry = PrometheusCollectorRegistry()
    private let families = Mutex<[String: MetricFamily]>([:])
    private let collectors = Mutex<[Collector]>([])

    public init() {}

    /// Records what the family's series are exported with. One name has one description: swift-prometheus would stop
    /// the process at the second family's first series anyway, so say which family it was here.
    public func describe(_ family: MetricFamily) {
        families.withLock { families in
            if let known = families[family.name] {
                precondition(known == family, "metric \(family.name) described twice, differently: \(known) and \(family)")
            } else {
                families[family.name] = family
            }
        }
    }

    public func register(_ collector: @escaping Collector) {
        collectors.withLock { $0.append(collector) }
    }

    /// The Prometheus text exposition format (version 0.0.4): each family's HELP and TYPE lines, then its series;
    /// families in no particular order. Collectors run outside any lock of ours: they take their own modules' locks.
    public func render() -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(16_384)
        registry.emit(into: &text)
        let samples = collectors.withLock { $0 }.flatMap { $0() }
        guard !samples.isEmpty else { return text }
        // A registry of their own, made for this rendering: the collectors' values are absolute, not increments.
        let scratch = PrometheusCollectorRegistry()
        for sample in samples {
            let name = Self.descriptor(sample.family)
            let labels = Self.sorted(sample.labels)
            switch sample.family.kind {
            case .counter:
                let counter = scratch.makeCounter(descriptor: name, labels: labels)
                // Whole numbers stay integers in the text (`12`, not `12.0`).
                if sample.value == sample.value.rounded(), abs(sample.value) < 0x1p53 {
                    counter.increment(by: Int64(sample.value))
                } else {
                    counter.increment(by: sample.value)
                }
            case .gauge:
                scratch.makeGauge(descriptor: name, labels: labels).increment(by: sample.value)
            case .histogram:
                preconditionFailure("\(sample.family.name): collectors report counters and gauges, not histograms")
            }
        }
        scratch.emit(into: &text)
        return text
    }

    /// `render()` as a string, for tests and logs.
    public func renderText() -> String {
        String(decoding: render(), as: UTF8.self)
    }

    private func family(_ label: String) -> MetricFamily? {
        families.withLock { $0[label] }
    }

    private static func descriptor(_ family: MetricFamily) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: family.name, unitName: "", helpText: family.help)
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: family(label)?.help ?? "")
    }

    /// swift-prometheus keys a series by its labels in the order given: sorted, one label set is one series whatever
    /// order a caller wrote it in (and the text lists labels by name, as before).
    private static func sorted(_ dimensions: [(String, String)]) -> [(String, String)] {
        dimensions.sorted { $0.0 < $1.0 }
    }

    private func timerBuckets(_ label: String) -> [Duration] {
        if case .histogram(let buckets) = family(label)?.kind { return buckets }
        return MetricFamily.latencyBuckets
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: Self.sorted(dimensions))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: Self.sorted(dimensions))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: Self.sorted(dimensions))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: Self.sorted(dimensions)) }
        // A value histogram: a described family's buckets as seconds, else swift-prometheus' defaults (not times).
        let buckets: [Double]
        if case .histogram(let bounds) = family(label)?.kind {
            buckets = bounds.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        } else {
            buckets = PrometheusMetricsFactory().defaultValueHistogramBuckets
        }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: Self.sorted(dimensions), buckets: buckets)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: Self.sorted(dimensions), buckets: timerBuckets(label))
    }

    // A series lives as long as the process: the registry hands every maker of one label set the same series, so
    // dropping it for one holder (a closed S3 client) would silently lose the others' records.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}
