import Metrics
import Testing

@testable import S3Client

@Suite struct S3MetricsTests {
    /// One record per attempt feeds both the counts a client reports and every family `/metrics` shows, under the
    /// names docs/metrics.md lists.
    @Test func oneRecordFeedsCountsAndEveryFamily() {
        let registry = MetricsRegistry()
        let metrics = S3Metrics(registry: registry)
        metrics.record(operation: .get, method: "GET", status: 503, elapsed: .milliseconds(250), sent: 0, received: 120)
        metrics.record(operation: .get, method: "GET", status: 200, elapsed: .milliseconds(500), sent: 0, received: 4096)
        metrics.record(operation: .put, method: "PUT", status: nil, elapsed: .seconds(1), sent: 10, received: 0)
        #expect(metrics.count(.get) == 2 && metrics.count(.put) == 1 && metrics.count(.delete) == 0)
        #expect(metrics.total == 3)
        let text = registry.render()
        for line in [
            #"objectmail_s3_requests_total{method="GET",operation="GET",status="2xx"} 1"#,
            #"objectmail_s3_requests_total{method="GET",operation="GET",status="5xx"} 1"#,
            #"objectmail_s3_requests_total{method="PUT",operation="PUT",status="error"} 1"#,
            #"objectmail_s3_request_duration_seconds_sum{operation="GET"} 0.75"#,
            #"objectmail_s3_request_duration_seconds_count{operation="GET"} 2"#,
            #"objectmail_s3_sent_bytes_total{operation="PUT"} 10"#,
            #"objectmail_s3_received_bytes_total{operation="GET"} 4216"#
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
    }

    @Test func clientsRecordIntoTheProcessRegistryUnlessGivenTheirOwn() throws {
        #expect(S3Metrics().registry === MetricsRegistry.shared)
        let own = MetricsRegistry()
        let client = try S3Client(
            url: "http://key:secret@127.0.0.1:9/bucket/", logger: .init(label: "test"),
            metrics: S3Metrics(registry: own))
        defer { client.shutdown() }
        #expect(client.metrics.registry === own)
    }
}
