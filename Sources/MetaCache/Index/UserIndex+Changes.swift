import GRDB
import MailModel

/// A mailbox as it is now and what changed in it after a MODSEQ a session had already seen, read in one
/// transaction, so a selected session can catch up without reading every message again.
public struct MailboxChanges: Sendable, Equatable {
    public var mailbox: MailboxRecord
    /// Messages added or changed after the MODSEQ, in UID order (empty when HIGHESTMODSEQ did not move).
    public var changed: [MessageState]
    /// UIDs expunged after the MODSEQ, ascending.
    public var expunged: [UInt32]
    /// How many messages the mailbox holds now, so the caller can check that applying the changes to
    /// what it knew gives the index's state (rows can also go without an expunge record, e.g. when a
    /// merge drops them); nil when nothing changed.
    public var messageCount: Int?

    public init(mailbox: MailboxRecord, changed: [MessageState], expunged: [UInt32], messageCount: Int?) {
        self.mailbox = mailbox
        self.changed = changed
        self.expunged = expunged
        self.messageCount = messageCount
    }
}

/// What a session has seen of a mailbox: its GUID and the HIGHESTMODSEQ its view is at. A write given one reads
/// the mailbox's changes after it in the write's own transaction (`UserIndex.write(catchingUp:_:)`).
public struct CatchUpRequest: Sendable, Equatable {
    public var mailboxGUID: String
    public var sinceModSeq: Int64
    /// The UIDNEXT of a read-write session's view that will announce new mail at once: the write then also
    /// takes the \Recent messages past it for that session (`CaughtUp.claimedRecent`), which would otherwise
    /// be a write transaction of its own after every APPEND into the selected mailbox. Nil: claim nothing.
    public var claimingRecentAfter: UInt32?

    public init(mailboxGUID: String, sinceModSeq: Int64, claimingRecentAfter: UInt32? = nil) {
        self.mailboxGUID = mailboxGUID
        self.sinceModSeq = sinceModSeq
        self.claimingRecentAfter = claimingRecentAfter
    }
}

/// The changes a `CatchUpRequest` asked for, as of the write that read them, and that write's index generation
/// (`UserIndex.writeGeneration`): while the generation is unchanged, the index is as these changes leave it.
/// A class: a session's command handlers hold one across awaits, and each async frame keeps what it holds for the
/// connection's lifetime in the task's allocator (inline, this grew every idle connection by ~7 KiB).
public final class CaughtUp: Sendable, Equatable {
    public let request: CatchUpRequest
    /// Nil when the mailbox is gone.
    public let changes: MailboxChanges?
    public let generation: UInt64
    /// The first \Recent UID the write took for the session (as `UserIndex.claimRecent` returns it), when
    /// the request asked and new messages were unclaimed; `changes.mailbox` already shows them taken.
    public let claimedRecent: UInt32?

    init(request: CatchUpRequest, changes: MailboxChanges?, claimedRecent: UInt32?, generation: UInt64) {
        self.request = request
        self.changes = changes
        self.claimedRecent = claimedRecent
        self.generation = generation
    }

    public static func == (a: CaughtUp, b: CaughtUp) -> Bool {
        a.request == b.request && a.changes == b.changes && a.claimedRecent == b.claimedRecent && a.generation == b.generation
    }
}

/// A write's result that can carry what its `CatchUpRequest` asked for.
protocol CarriesCatchUp {
    var caughtUp: CaughtUp? { get set }
}

extension AssignedUIDs: CarriesCatchUp {}
extension ExpungeResult: CarriesCatchUp {}
extension FlagStoreResult: CarriesCatchUp {}

extension UserIndex {
    /// The mailbox (by GUID, so a rename by another session does not lose it) and its changes after
    /// `modSeq`; nil when the mailbox is gone.
    public func mailboxChanges(guid: String, since modSeq: Int64) async throws -> MailboxChanges? {
        try await read { db in try Self.mailboxChanges(guid: guid, since: modSeq, db: db) }
    }

    /// What a write's `request` asked for, read (and for \Recent, written) in the write's transaction.
    static func catchUp(_ request: CatchUpRequest, db: Database) throws -> (changes: MailboxChanges?, claimedRecent: UInt32?) {
        guard var changes = try mailboxChanges(guid: request.mailboxGUID, since: request.sinceModSeq, db: db) else { return (nil, nil) }
        guard let seenUIDNext = request.claimingRecentAfter, changes.mailbox.uidNext != seenUIDNext,
            changes.mailbox.firstRecentUID < changes.mailbox.uidNext
        else { return (changes, nil) }
        let claimed = try takeRecent(of: &changes.mailbox, in: db)
        return (changes, claimed)
    }

    static func mailboxChanges(guid: String, since modSeq: Int64, db: Database) throws -> MailboxChanges? {
        guard let mailbox = try Self.mailbox(guid: guid, db: db) else { return nil }
        let id = mailbox.id
        guard mailbox.highestModSeq != modSeq else {
            return MailboxChanges(mailbox: mailbox, changed: [], expunged: [], messageCount: nil)
        }
        let count: Int = try db.cachedStatement(sql: "SELECT COUNT(*) FROM message WHERE mailboxID = ?").rawValue([id]) ?? 0
        return MailboxChanges(
            mailbox: mailbox, changed: try Self.changedMessages(in: id, since: modSeq, db: db),
            expunged: try Self.expungedUIDs(in: id, since: modSeq, db: db), messageCount: count)
    }
}
