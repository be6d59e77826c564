import Metrics

/// The protocol servers' figures in the process's `MetricsRegistry` (connections, logins, deliveries).
enum ServerMetrics {
    static let connectionsTotal = MetricFamily(
        "objectmail_connections_total", .counter,
        help: "Client connections accepted, by service")
    static let connectionsCurrent = MetricFamily(
        "objectmail_connections_current", .gauge,
        help: "Client connections open now, by service")
    static let logins = MetricFamily(
        "objectmail_logins_total", .counter,
        help: "IMAP and POP3 login attempts by service and result (success, failure, tempfail, limit, storage)")
    static let deliveries = MetricFamily(
        "objectmail_lmtp_deliveries_total", .counter,
        help: "LMTP deliveries per recipient, by result (saved, tempfail)")
    static let deliveredBytes = MetricFamily(
        "objectmail_lmtp_delivered_bytes_total", .counter,
        help: "Bytes of messages saved by LMTP, delivery headers included")

    static func connectionOpened(service: String) {
        MetricsRegistry.shared.add(connectionsTotal, labels: ["service": service])
        MetricsRegistry.shared.add(connectionsCurrent, labels: ["service": service])
    }

    static func connectionClosed(service: String) {
        MetricsRegistry.shared.add(connectionsCurrent, -1, labels: ["service": service])
    }

    static func login(service: String, result: String) {
        MetricsRegistry.shared.add(logins, labels: ["service": service, "result": result])
    }

    static func delivery(result: String, bytes: Int) {
        MetricsRegistry.shared.add(deliveries, labels: ["result": result])
        if result == "saved" { MetricsRegistry.shared.add(deliveredBytes, Double(bytes)) }
    }
}
