import MetricsExport
import MetricsTestKit
import Testing

@testable import S3Client

@Suite struct S3MetricsTests {
    static func recordThree(_ metrics: S3Metrics) {
        metrics.record(operation: .get, status: 503, elapsed: .milliseconds(250), sent: 0, received: 120)
        metrics.record(operation: .get, status: 200, elapsed: .milliseconds(500), sent: 0, received: 4096)
        metrics.record(operation: .put, status: nil, elapsed: .seconds(1), sent: 10, received: 0)
    }

    /// One record per attempt: exact counts by operation and status class, read back through swift-metrics.
    @Test func oneRecordPerAttemptCountsByOperationMethodAndStatus() throws {
        let test = TestMetrics()
        Self.recordThree(S3Metrics(factory: test))
        let requests = S3Metrics.requests.name
        #expect(test.counterTotal(label: requests, dimensions: [("operation", "GET")]) == 2)
        #expect(test.counterTotal(label: requests, dimensions: [("operation", "PUT")]) == 1)
        #expect(test.counterTotal(label: requests, dimensions: [("operation", "DELETE")]) == 0)
        #expect(test.counterTotal(label: requests) == 3)
        #expect(try test.expectCounter(requests, [("operation", "GET"), ("method", "GET"), ("status", "5xx")]).totalValue == 1)
        #expect(try test.expectCounter(requests, [("operation", "PUT"), ("method", "PUT"), ("status", "error")]).totalValue == 1)
        #expect(try test.expectTimer(S3Metrics.duration.name, [("operation", "GET")]).values == [250_000_000, 500_000_000])
        #expect(try test.expectCounter(S3Metrics.bytesReceived.name, [("operation", "GET")]).totalValue == 4216)
        #expect(try test.expectCounter(S3Metrics.bytesSent.name, [("operation", "PUT")]).totalValue == 10)
        // Nothing sent on a GET: no series for it.
        #expect(test.counters(label: S3Metrics.bytesSent.name, dimensions: [("operation", "GET")]).isEmpty)
    }

    /// The families `/metrics` shows, under the names, types and labels docs/metrics.md lists; the duration a histogram
    /// whose `_sum` and `_count` mean what the summary's did.
    @Test func theExportedFamilies() {
        let exporter = PrometheusExporter()
        Self.recordThree(S3Metrics(factory: exporter))
        let text = exporter.renderText()
        for line in [
            "# TYPE objectmail_s3_requests_total counter",
            "# HELP objectmail_s3_requests_total S3 HTTP requests sent, retries included, by operation, HTTP method and status class",
            #"objectmail_s3_requests_total{method="GET",operation="GET",status="2xx"} 1"#,
            #"objectmail_s3_requests_total{method="GET",operation="GET",status="5xx"} 1"#,
            #"objectmail_s3_requests_total{method="PUT",operation="PUT",status="error"} 1"#,
            "# TYPE objectmail_s3_request_duration_seconds histogram",
            #"objectmail_s3_request_duration_seconds_bucket{operation="GET",le="0.1"} 0"#,
            #"objectmail_s3_request_duration_seconds_bucket{operation="GET",le="0.25"} 1"#,
            #"objectmail_s3_request_duration_seconds_bucket{operation="GET",le="0.5"} 2"#,
            #"objectmail_s3_request_duration_seconds_bucket{operation="GET",le="+Inf"} 2"#,
            #"objectmail_s3_request_duration_seconds_sum{operation="GET"} 0.75"#,
            #"objectmail_s3_request_duration_seconds_count{operation="GET"} 2"#,
            "# TYPE objectmail_s3_sent_bytes_total counter",
            #"objectmail_s3_sent_bytes_total{operation="PUT"} 10"#,
            "# TYPE objectmail_s3_received_bytes_total counter",
            #"objectmail_s3_received_bytes_total{operation="GET"} 4216"#
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
    }

    @Test func everyOperationHasItsHTTPMethod() {
        #expect(S3Operation.allCases.map(\.method) == ["PUT", "GET", "HEAD", "DELETE", "POST", "PUT", "GET"])
    }

    @Test func clientsRecordThroughTheFactoryTheyAreGiven() throws {
        let own = TestMetrics()
        let client = try S3Client(url: "http://key:secret@127.0.0.1:9/bucket/", logger: .init(label: "test"), metrics: S3Metrics(factory: own))
        defer { client.shutdown() }
        #expect(client.metrics.factory as? TestMetrics === own)
    }
}
