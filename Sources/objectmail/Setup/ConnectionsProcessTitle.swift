import Server
import Synchronization

/// `verbose_proctitle = yes`: the process title shows the open connections, e.g.
/// `objectmail [12 connections: 9 imap, 2 pop3, 1 lmtp]`, and `objectmail [idling]` with none.
///
/// Dovecot's imap and pop3 processes show `[idling]` or `[N connections]` (one client: its user, address and
/// command); its login processes count their clients the same way. Here one process serves every protocol, so the
/// title counts connections per service, in the order of `protocols` (imap, pop3, lmtp), then the others (auth
/// clients, doveadm) by name.
///
/// Refreshed from its own task when the counts change, at most once a second: an accept or a close only yields to
/// a one-element stream (`ObjectMailServer.connectionCountChanges`), and nothing is written on an event loop.
final class ConnectionsProcessTitle: Sendable {
    static let processName = "objectmail"
    private static let refreshInterval: Duration = .seconds(1)

    private let title: ProcessTitle
    private let server: ObjectMailServer
    /// Whether the setting is on; the title is written under this lock, so a reload turning it off never races
    /// with a refresh putting the counts back.
    private let enabled: Mutex<Bool>

    init(title: ProcessTitle, server: ObjectMailServer, enabled: Bool) {
        self.title = title
        self.server = server
        self.enabled = Mutex(false)
        setEnabled(enabled)
        let changes = server.connectionCountChanges
        Task.detached { [self] in
            for await _ in changes {
                refresh()
                try? await Task.sleep(for: Self.refreshInterval)
            }
        }
    }

    /// At start-up and at each reload: on shows the counts at once, off gives back the command line.
    func setEnabled(_ on: Bool) {
        enabled.withLock { enabled in
            guard enabled != on else { return }
            enabled = on
            if on { title.set(Self.text(server.connectionCounts)) } else { title.restore() }
        }
    }

    private func refresh() {
        enabled.withLock { enabled in
            if enabled { title.set(Self.text(server.connectionCounts)) }
        }
    }

    static func text(_ counts: [String: Int]) -> String {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return "\(processName) [idling]" }
        let first = ["imap", "pop3", "lmtp"]
        let services = first.filter { counts[$0] != nil } + counts.keys.filter { !first.contains($0) }.sorted()
        let parts = services.map { "\(counts[$0]!) \($0)" }
        return "\(processName) [\(total) connection\(total == 1 ? "" : "s"): \(parts.joined(separator: ", "))]"
    }
}
