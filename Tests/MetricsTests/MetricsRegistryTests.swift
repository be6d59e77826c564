import Testing

@testable import Metrics

@Suite struct MetricsRegistryTests {
    static let requests = MetricFamily("test_requests_total", .counter, help: "Requests\nby \\ method")
    static let open = MetricFamily("test_open", .gauge, help: "Open now")
    static let latency = MetricFamily("test_latency_seconds", .summary, help: "Latency")

    @Test func rendersCountersGaugesAndSummariesWithHelpAndType() {
        let registry = MetricsRegistry()
        registry.add(Self.requests, labels: ["method": "PUT", "status": "2xx"])
        registry.add(Self.requests, 2, labels: ["method": "GET", "status": "2xx"])
        registry.add(Self.open)
        registry.add(Self.open)
        registry.add(Self.open, -1)
        registry.observe(Self.latency, 0.25, labels: ["operation": "GET"])
        registry.observe(Self.latency, 0.5, labels: ["operation": "GET"])
        #expect(
            registry.render() == """
                # HELP test_latency_seconds Latency
                # TYPE test_latency_seconds summary
                test_latency_seconds_sum{operation="GET"} 0.75
                test_latency_seconds_count{operation="GET"} 2
                # HELP test_open Open now
                # TYPE test_open gauge
                test_open 1
                # HELP test_requests_total Requests\\nby \\\\ method
                # TYPE test_requests_total counter
                test_requests_total{method="GET",status="2xx"} 2
                test_requests_total{method="PUT",status="2xx"} 1

                """)
        #expect(registry.value("test_requests_total", labels: ["status": "2xx", "method": "GET"]) == 2)
    }

    @Test func escapesLabelValues() {
        let registry = MetricsRegistry()
        registry.add(Self.requests, labels: ["key": "a\"b\\c\nd"])
        #expect(registry.render().contains(#"test_requests_total{key="a\"b\\c\nd"} 1"#))
    }

    @Test func emptyRegistryRendersNothing() {
        #expect(MetricsRegistry().render() == "")
    }
}

@Suite struct MetricsCollectorTests {
    @Test func collectorsAddToRecordedSeriesAtRenderTime() {
        let registry = MetricsRegistry()
        let hits = MetricFamily("test_hits_total", .counter, help: "Hits")
        registry.add(hits, 2, labels: ["cache": "a"])
        registry.register { [MetricSample(hits, 3, labels: ["cache": "a"]), MetricSample(hits, 1, labels: ["cache": "b"])] }
        #expect(registry.render().contains("test_hits_total{cache=\"a\"} 5\ntest_hits_total{cache=\"b\"} 1\n"))
    }
}

@Suite struct MetricsRegistryTotalTests {
    @Test func sumsTheSeriesWhoseLabelsMatch() {
        let registry = MetricsRegistry()
        let family = MetricFamily("test_total", .counter, help: "x")
        registry.add(family, labels: ["operation": "GET", "status": "2xx"])
        registry.add(family, 2, labels: ["operation": "GET", "status": "5xx"])
        registry.add(family, 4, labels: ["operation": "PUT", "status": "2xx"])
        #expect(registry.total("test_total") == 7)
        #expect(registry.total("test_total", matching: ["operation": "GET"]) == 3)
        #expect(registry.total("test_total", matching: ["status": "2xx"]) == 5)
        #expect(registry.total("test_total", matching: ["operation": "GET", "status": "2xx"]) == 1)
        #expect(registry.total("test_total", matching: ["operation": "HEAD"]) == 0)
        #expect(registry.total("other") == 0)
    }
}
