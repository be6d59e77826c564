import IMAPProtocol
import Metrics
import MetricsExport

/// The protocol servers' figures (connections, logins, deliveries, IMAP command times) as swift-metrics handles made
/// from one factory. The sessions call the static functions, which record into the process's (`process`); a test
/// makes its own from a factory it reads back.
struct ServerMetrics: Sendable {
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
        help: "LMTP deliveries per recipient, by result (saved, tempfail, quota)")
    static let deliveredBytes = MetricFamily(
        "objectmail_lmtp_delivered_bytes_total", .counter,
        help: "Bytes of messages saved by LMTP, delivery headers included")
    static let imapCommandDuration = MetricFamily(
        "objectmail_imap_command_duration_seconds", .histogram(buckets: MetricFamily.latencyBuckets),
        help: "Time from an IMAP command's dispatch to its tagged answer (IDLE, AUTHENTICATE: until it waits for the client), by command")

    /// The label values the servers produce; any other still counts, through the factory's slower lookup.
    static let services = ServerSettings.implementedProtocols
    static let loginResults = ["success", "failure", "tempfail", "limit", "storage"]
    static let deliveryResults = ["saved", "tempfail", "quota"]

    struct LoginKey: Hashable, Sendable {
        var service: String
        var result: String
    }

    private let connectionsAccepted: MetricTable<String, CoreMetrics.Counter>
    private let connectionsOpen: MetricTable<String, Meter>
    private let loginAttempts: MetricTable<LoginKey, CoreMetrics.Counter>
    private let deliveryCounters: MetricTable<String, CoreMetrics.Counter>
    private let bytesDelivered: CoreMetrics.Counter
    private let commandTimers: MetricTable<IMAPCommandName, CoreMetrics.Timer>

    init(factory: any MetricsFactory) {
        connectionsAccepted = MetricTable(Self.services) { Self.connectionsTotal.counter([("service", $0)], factory: factory) }
        connectionsOpen = MetricTable(Self.services) { Self.connectionsCurrent.meter([("service", $0)], factory: factory) }
        let loginKeys = Self.services.flatMap { service in Self.loginResults.map { LoginKey(service: service, result: $0) } }
        loginAttempts = MetricTable(loginKeys) { Self.logins.counter([("service", $0.service), ("result", $0.result)], factory: factory) }
        deliveryCounters = MetricTable(Self.deliveryResults) { Self.deliveries.counter([("result", $0)], factory: factory) }
        bytesDelivered = Self.deliveredBytes.counter(factory: factory)
        commandTimers = MetricTable(IMAPCommandName.allCases) { Self.imapCommandDuration.timer([("command", $0.rawValue)], factory: factory) }
    }

    func opened(service: String) {
        connectionsAccepted[service].increment()
        connectionsOpen[service].increment()
    }

    func closed(service: String) {
        connectionsOpen[service].decrement()
    }

    func loginAttempted(service: String, result: String) {
        loginAttempts[LoginKey(service: service, result: result)].increment()
    }

    func delivered(result: String, bytes: Int) {
        deliveryCounters[result].increment()
        if result == "saved" { bytesDelivered.increment(by: bytes) }
    }

    func commandCompleted(_ command: IMAPCommandName, after elapsed: Duration) {
        commandTimers[command].record(duration: elapsed)
    }

    // MARK: The process's

    /// Made on first use, which comes after the executable bootstrapped `MetricsSystem` (before any listener opens).
    static let process = ServerMetrics(factory: MetricsSystem.factory)

    static func connectionOpened(service: String) { process.opened(service: service) }

    static func connectionClosed(service: String) { process.closed(service: service) }

    static func login(service: String, result: String) { process.loginAttempted(service: service, result: result) }

    static func delivery(result: String, bytes: Int) { process.delivered(result: result, bytes: bytes) }

    static func imapCommand(_ command: IMAPCommandName, elapsed: Duration) { process.commandCompleted(command, after: elapsed) }
}
