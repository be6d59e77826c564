import Foundation
import NIOCore
import Synchronization

/// The logged-in sessions of the process, for `objectmail who` and `objectmail kick` (doveadm's anvil answers
/// these in Dovecot). A connection is entered when it opens (by its session id) and named when its login
/// succeeds; it leaves when its channel closes.
public final class SessionDirectory: Sendable {
    public static let shared = SessionDirectory()

    public struct Session: Sendable, Equatable {
        public var id: String
        public var user: String
        /// `imap`, `pop3`.
        public var service: String
        public var remoteIP: String
    }

    private struct Entry {
        let channel: any Channel
        var session: Session?
    }

    private let entries = Mutex<[String: Entry]>([:])

    func opened(_ channel: any Channel, id: String) {
        entries.withLock { $0[id] = Entry(channel: channel, session: nil) }
        channel.closeFuture.whenComplete { [self] _ in
            _ = entries.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// The session's login succeeded. `id` is the session id its logger carries.
    func loggedIn(id: String?, user: String, service: String, remoteIP: String?) {
        guard let id else { return }
        entries.withLock { entries in
            guard entries[id] != nil else { return }
            entries[id]?.session = Session(id: id, user: user, service: service, remoteIP: remoteIP ?? "local")
        }
    }

    /// The logged-in sessions, by user and then id.
    public func sessions() -> [Session] {
        entries.withLock { $0.values.compactMap(\.session) }.sorted { ($0.user, $0.id) < ($1.user, $1.id) }
    }

    /// Closes every session of the users `matching` selects; returns the sessions closed. Their clients see the
    /// connection end, as when doveadm kick signals the processes.
    public func kick(matching: (Session) -> Bool) async -> [Session] {
        let chosen = entries.withLock { entries in
            entries.values.compactMap { entry in entry.session.flatMap { matching($0) ? (entry.channel, $0) : nil } }
        }
        for (channel, _) in chosen { try? await channel.close() }
        return chosen.map(\.1).sorted { ($0.user, $0.id) < ($1.user, $1.id) }
    }
}
