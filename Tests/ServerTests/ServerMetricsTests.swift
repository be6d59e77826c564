import IMAPProtocol
import MetricsExport
import MetricsTestKit
import NIOCore
import NIOHTTP1
import Testing

@testable import Server

/// The servers' families keep the names, types and labels dashboards read (docs/metrics.md); IMAP command times
/// are a histogram labelled by the parsed command's name.
@Suite struct ServerMetricsTests {
    @Test func familiesAsExported() {
        let exporter = PrometheusExporter()
        let metrics = ServerMetrics(factory: exporter)
        metrics.opened(service: "imap")
        metrics.opened(service: "imap")
        metrics.closed(service: "imap")
        metrics.loginAttempted(service: "pop3", result: "failure")
        metrics.delivered(result: "saved", bytes: 120)
        metrics.delivered(result: "tempfail", bytes: 50)
        metrics.commandCompleted(.uidFetch, after: .milliseconds(3))
        let text = exporter.renderText()
        for line in [
            "# TYPE objectmail_connections_total counter", #"objectmail_connections_total{service="imap"} 2"#,
            "# TYPE objectmail_connections_current gauge", #"objectmail_connections_current{service="imap"} 1.0"#,
            "# TYPE objectmail_logins_total counter", #"objectmail_logins_total{result="failure",service="pop3"} 1"#,
            "# TYPE objectmail_lmtp_deliveries_total counter", #"objectmail_lmtp_deliveries_total{result="saved"} 1"#,
            #"objectmail_lmtp_deliveries_total{result="tempfail"} 1"#,
            "# TYPE objectmail_lmtp_delivered_bytes_total counter", "objectmail_lmtp_delivered_bytes_total 120",
            "# TYPE objectmail_imap_command_duration_seconds histogram",
            #"objectmail_imap_command_duration_seconds_bucket{command="UID FETCH",le="0.0025"} 0"#,
            #"objectmail_imap_command_duration_seconds_bucket{command="UID FETCH",le="0.005"} 1"#,
            #"objectmail_imap_command_duration_seconds_sum{command="UID FETCH"} 0.003"#,
            #"objectmail_imap_command_duration_seconds_count{command="UID FETCH"} 1"#
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
        #expect(text.components(separatedBy: "# HELP ").count - 1 == text.components(separatedBy: "# TYPE ").count - 1)
    }

    @Test func commandTimesAreLabelledByTheCommandNotByWhatTheClientTyped() throws {
        let test = TestMetrics()
        let metrics = ServerMetrics(factory: test)
        for line in ["a1 uid fetch 1:* (FLAGS)\r\n", "a2 Noop\r\n", "a3 FETCH 1 FLAGS\r\n"] {
            let command = try IMAPCommandParser().parse(ByteBuffer(string: line))
            metrics.commandCompleted(command.command.commandName, after: .microseconds(10))
        }
        #expect(Set(test.timers.map(\.dimensions.first?.1)) == ["UID FETCH", "NOOP", "FETCH"])
        #expect(IMAPCommandName.allCases.allSatisfy { $0.rawValue == $0.rawValue.uppercased() })
    }

    @Test func statsListenerAnswersTheExporter() {
        let exporter = PrometheusExporter()
        ServerMetrics(factory: exporter).opened(service: "lmtp")
        let get = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/metrics?x=1")
        let (status, body, headers) = MetricsRequestHandler.answer(get, exporter: exporter)
        #expect(status == .ok && headers.contains { $0 == ("Content-Type", "text/plain; version=0.0.4; charset=utf-8") })
        #expect(String(decoding: body, as: UTF8.self).contains(#"objectmail_connections_total{service="lmtp"} 1"#))
        #expect(MetricsRequestHandler.answer(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), exporter: exporter).0 == .notFound)
        #expect(MetricsRequestHandler.answer(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/metrics"), exporter: exporter).0 == .methodNotAllowed)
    }
}
