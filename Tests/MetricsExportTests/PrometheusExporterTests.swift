import CoreMetrics
import MetricsExport
import Synchronization
import Testing

@Suite struct PrometheusExporterTests {
    static let requests = MetricFamily("test_requests_total", .counter, help: #"Requests by \ method"#)
    static let open = MetricFamily("test_open", .gauge, help: "Open now")
    static let latency = MetricFamily(
        "test_latency_seconds", .histogram(buckets: [.microseconds(2500), .milliseconds(5), .milliseconds(250), .milliseconds(2500)]),
        help: "Latency")

    @Test func rendersCountersAndGaugesWithHelpAndTypeAndSortedLabels() {
        let exporter = PrometheusExporter()
        Self.requests.counter([("status", "2xx"), ("method", "PUT")], factory: exporter).increment()
        Self.requests.counter([("method", "GET"), ("status", "2xx")], factory: exporter).increment(by: 2)
        // The same label set in another order is the same series.
        Self.requests.counter([("status", "2xx"), ("method", "GET")], factory: exporter).increment()
        let open = Self.open.meter(factory: exporter)
        open.increment()
        open.increment()
        open.decrement()
        let rendered = RenderedMetrics(exporter.renderText())
        #expect(rendered.families.count == 2)
        let requests = rendered.families["test_requests_total"]
        #expect(requests?.help == #"Requests by \\ method"#)
        #expect(requests?.type == "counter")
        #expect(
            Set(requests?.samples ?? []) == [
                #"test_requests_total{method="GET",status="2xx"} 3"#, #"test_requests_total{method="PUT",status="2xx"} 1"#
            ])
        #expect(rendered.families["test_open"]?.type == "gauge")
        #expect(rendered.families["test_open"]?.help == "Open now")
        #expect(rendered.value("test_open") == 1)
    }

    @Test func histogramsHaveCumulativeInclusiveBucketsSumAndCountInSeconds() {
        let exporter = PrometheusExporter()
        let timer = Self.latency.timer([("operation", "GET")], factory: exporter)
        timer.recordNanoseconds(3_000_000)
        timer.recordNanoseconds(250_000_000) // on a bound: counted in it (`le` is "less or equal")
        timer.recordNanoseconds(4_000_000_000) // above every bound: +Inf only
        let family = RenderedMetrics(exporter.renderText()).families["test_latency_seconds"]
        #expect(family?.type == "histogram")
        #expect(family?.help == "Latency")
        #expect(
            family?.samples == [
                #"test_latency_seconds_bucket{operation="GET",le="0.0025"} 0"#,
                #"test_latency_seconds_bucket{operation="GET",le="0.005"} 1"#,
                #"test_latency_seconds_bucket{operation="GET",le="0.25"} 2"#,
                #"test_latency_seconds_bucket{operation="GET",le="2.5"} 2"#,
                #"test_latency_seconds_bucket{operation="GET",le="+Inf"} 3"#,
                #"test_latency_seconds_sum{operation="GET"} 4.253"#,
                #"test_latency_seconds_count{operation="GET"} 3"#
            ])
    }

    @Test func theMailLatencyBucketsRunFromAMillisecondToAMinute() {
        let exporter = PrometheusExporter()
        let family = MetricFamily("test_mail_seconds", .histogram(buckets: MetricFamily.latencyBuckets), help: "Mail")
        family.timer(factory: exporter).recordNanoseconds(1)
        let samples = RenderedMetrics(exporter.renderText()).families["test_mail_seconds"]?.samples ?? []
        let bounds = samples.filter { $0.contains("_bucket") }.compactMap { $0.split(separator: "\"").dropFirst().first.map(String.init) }
        #expect(
            bounds == ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0", "+Inf"])
    }

    @Test func escapesLabelValues() {
        let exporter = PrometheusExporter()
        Self.requests.counter([("key", "a\"b\\c\nd")], factory: exporter).increment()
        #expect(exporter.renderText().contains(#"test_requests_total{key="a\"b\\c\nd"} 1"#))
    }

    @Test func anEmptyExporterRendersNothing() {
        #expect(PrometheusExporter().render().isEmpty)
    }

    @Test func aLabelNobodyDescribedIsExportedWithoutHelp() {
        let exporter = PrometheusExporter()
        CoreMetrics.Counter(label: "test_undescribed_total", factory: exporter).increment()
        let family = RenderedMetrics(exporter.renderText()).families["test_undescribed_total"]
        #expect(family?.type == "counter" && family?.help == nil && family?.samples == ["test_undescribed_total 1"])
    }

    @Test func anUndescribedRecorderIsAValueHistogramAndAGaugeWithoutAggregation() {
        let exporter = PrometheusExporter()
        Recorder(label: "test_sizes", factory: exporter).record(7)
        Recorder(label: "test_last", aggregate: false, factory: exporter).record(7)
        let rendered = RenderedMetrics(exporter.renderText())
        #expect(rendered.families["test_sizes"]?.type == "histogram")
        #expect(rendered.value(#"test_sizes_bucket{le="5.0"}"#) == 0 && rendered.value(#"test_sizes_bucket{le="10.0"}"#) == 1)
        #expect(rendered.families["test_last"]?.type == "gauge" && rendered.value("test_last") == 7)
    }

    @Test func destroyingAHandleKeepsTheSeriesOthersStillRecordInto() {
        let exporter = PrometheusExporter()
        let first = Self.requests.counter([("method", "GET")], factory: exporter)
        let second = Self.requests.counter([("method", "GET")], factory: exporter)
        first.increment()
        first.destroy()
        second.increment()
        #expect(RenderedMetrics(exporter.renderText()).value(#"test_requests_total{method="GET"}"#) == 2)
    }
}

@Suite struct PrometheusExporterCollectorTests {
    static let hits = MetricFamily("test_hits_total", .counter, help: "Hits")
    static let size = MetricFamily("test_size_bytes", .gauge, help: "Size")

    @Test func collectorsAreReadAtEachRenderingAndTheirSamplesOfOneSeriesAddUp() {
        let exporter = PrometheusExporter()
        let figures = Figures()
        exporter.register {
            let (hits, size) = figures.read()
            return [
                MetricSample(Self.hits, Double(hits), labels: [("cache", "a")]), MetricSample(Self.hits, 1, labels: [("cache", "a")]),
                MetricSample(Self.size, size)
            ]
        }
        figures.set(hits: 2, size: 1.5)
        var rendered = RenderedMetrics(exporter.renderText())
        #expect(rendered.families["test_hits_total"]?.type == "counter" && rendered.families["test_hits_total"]?.help == "Hits")
        #expect(rendered.families["test_size_bytes"]?.type == "gauge")
        #expect(rendered.families["test_hits_total"]?.samples == [#"test_hits_total{cache="a"} 3"#])
        #expect(rendered.value("test_size_bytes") == 1.5)
        // Absolute values, not increments: a second rendering shows the figures as they are then.
        figures.set(hits: 5, size: 0)
        rendered = RenderedMetrics(exporter.renderText())
        #expect(rendered.value(#"test_hits_total{cache="a"}"#) == 6)
        #expect(rendered.value("test_size_bytes") == 0)
    }

    @Test func collectorsRenderBesideRecordedFamilies() {
        let exporter = PrometheusExporter()
        PrometheusExporterTests.requests.counter(factory: exporter).increment()
        exporter.register { [MetricSample(Self.hits, 4)] }
        let rendered = RenderedMetrics(exporter.renderText())
        #expect(rendered.value("test_requests_total") == 1 && rendered.value("test_hits_total") == 4)
    }
}

@Suite struct MetricTableTests {
    @Test func makesEachKnownHandleOnceAndAnUnknownOneEachTime() {
        let made = Figures()
        let table = MetricTable(["a", "b"]) { key -> Box in
            made.count(key)
            return Box(key)
        }
        #expect(table["a"] === table["a"])
        #expect(table["b"].key == "b")
        #expect(table["other"] !== table["other"])
        #expect(made.made == ["a": 1, "b": 1, "other": 2])
    }

    final class Box: Sendable {
        let key: String
        init(_ key: String) { self.key = key }
    }
}

/// Values a test changes while a collector or a table's maker reads them.
final class Figures: Sendable {
    private struct State {
        var hits = 0
        var size = 0.0
        var made: [String: Int] = [:]
    }

    private let state = Mutex(State())

    func set(hits: Int, size: Double) {
        state.withLock { state in
            state.hits = hits
            state.size = size
        }
    }

    func read() -> (Int, Double) { state.withLock { ($0.hits, $0.size) } }
    func count(_ key: String) { state.withLock { $0.made[key, default: 0] += 1 } }
    var made: [String: Int] { state.withLock { $0.made } }
}
