import Foundation
import MailModel
import MetaCache
import Synchronization

/// A change to a mailbox, sent to every session of the user that watches the mailbox, so that
/// IMAP can report EXISTS, EXPUNGE and FETCH FLAGS from other sessions (and IDLE can wake up).
public struct MailEvent: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case appended(uids: [UInt32], modSeq: Int64)
        case expunged(uids: [UInt32], modSeq: Int64)
        case flagsChanged([MessageState])
        /// The mailbox was deleted or renamed away: sessions that selected it must leave it.
        case mailboxGone
        /// The mailbox list changed (CREATE, DELETE, RENAME, LMTP autocreate), for NOTIFY's MailboxName.
        /// A rename is announced once per mailbox it moved, children included.
        case mailboxCreated(name: String)
        case mailboxDeleted(name: String)
        case mailboxRenamed(from: String, to: String)
        /// SUBSCRIBE/UNSUBSCRIBE, for NOTIFY's SubscriptionChange; the name need not be a mailbox.
        case subscriptionChanged(name: String, subscribed: Bool)
    }

    /// nil for changes that belong to no mailbox record (a subscription to a name without a mailbox):
    /// only watchers of every mailbox get those.
    public var mailboxID: MailboxID?
    /// The mailbox's name when the change was made, so that watchers need no lookup (nil: unknown).
    public var mailboxName: String? = nil
    /// The session that made the change, so that it can skip what it already reported itself.
    public var origin: UUID?
    public var change: Change

    init(mailboxID: MailboxID?, mailboxName: String? = nil, origin: UUID?, change: Change) {
        self.mailboxID = mailboxID
        self.mailboxName = mailboxName
        self.origin = origin
        self.change = change
    }
}

/// A session's subscription to a user's events; ends when the session stops watching.
public struct MailEventSubscription: Sendable {
    public let id: UUID
    public let events: AsyncStream<MailEvent>
}

/// The user's change notifications: sessions watch one mailbox or all of them, and every change the user's index
/// commits is delivered to them (`MailUser.publish`). It keeps its watchers under its own lock rather than in the
/// user actor: starting and stopping a watch need no hop onto the actor, and delivering never waits for a session.
public final class MailEventBus: Sendable {
    private let watchers = Mutex<[UUID: Watcher]>([:])

    init() {}

    /// Starts delivering the events of one mailbox (nil: every mailbox) to the caller.
    public func watch(mailboxID: MailboxID?) -> MailEventSubscription {
        let id = UUID()
        let (stream, continuation) = AsyncStream<MailEvent>.makeStream(bufferingPolicy: .unbounded)
        watchers.withLock { $0[id] = Watcher(mailboxID: mailboxID, continuation: continuation) }
        return MailEventSubscription(id: id, events: stream)
    }

    public func stopWatching(_ id: UUID) {
        watchers.withLock { $0.removeValue(forKey: id) }?.continuation.finish()
    }

    /// Hands `event` to the watchers of its mailbox and of every mailbox (an unbounded buffer each: never waits).
    func deliver(_ event: MailEvent) {
        watchers.withLock { watchers in
            for watcher in watchers.values where watcher.mailboxID == nil || watcher.mailboxID == event.mailboxID {
                watcher.continuation.yield(event)
            }
        }
    }
}

extension MailUser {
    /// The current name of a mailbox an event named only by ID (nil: it no longer exists).
    public func mailboxName(id: MailboxID) async throws -> String? {
        try await mapErrors { try await index.mailboxes().first { $0.id == id.value }?.name }
    }

    /// Tells the watchers of a change the index committed; every such change may also be due for upload, and
    /// appends and expunges move the quota usage.
    func publish(_ event: MailEvent) {
        scheduleUpload()
        switch event.change {
        case .appended, .expunged, .mailboxGone: quotaUsageMayHaveChanged()
        default: break
        }
        events.deliver(event)
    }
}

struct Watcher: Sendable {
    var mailboxID: MailboxID?
    var continuation: AsyncStream<MailEvent>.Continuation
}
