import Foundation
import MetaCache

/// A change to a mailbox, sent to every session of the user that watches the mailbox, so that
/// IMAP can report EXISTS, EXPUNGE and FETCH FLAGS from other sessions (and IDLE can wake up).
public struct MailEvent: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case appended(uids: [UInt32], modSeq: Int64)
        case expunged(uids: [UInt32], modSeq: Int64)
        case flagsChanged([MessageState])
        /// The mailbox was deleted or renamed away: sessions that selected it must leave it.
        case mailboxGone
    }

    public var mailboxID: Int64
    /// The session that made the change, so that it can skip what it already reported itself.
    public var origin: UUID?
    public var change: Change
}

/// A session's subscription to a user's events; ends when the session stops watching.
public struct MailEventSubscription: Sendable {
    public let id: UUID
    public let events: AsyncStream<MailEvent>
}

extension MailUser {
    /// Starts delivering the events of one mailbox (nil: every mailbox) to the caller.
    public func watch(mailboxID: Int64?) -> MailEventSubscription {
        let id = UUID()
        let (stream, continuation) = AsyncStream<MailEvent>.makeStream(bufferingPolicy: .unbounded)
        watchers[id] = Watcher(mailboxID: mailboxID, continuation: continuation)
        return MailEventSubscription(id: id, events: stream)
    }

    public func stopWatching(_ id: UUID) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    func publish(_ event: MailEvent) {
        scheduleUpload()
        for watcher in watchers.values where watcher.mailboxID == nil || watcher.mailboxID == event.mailboxID {
            watcher.continuation.yield(event)
        }
    }
}

struct Watcher: Sendable {
    var mailboxID: Int64?
    var continuation: AsyncStream<MailEvent>.Continuation
}
