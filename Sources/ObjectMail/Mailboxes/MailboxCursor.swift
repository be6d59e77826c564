import MailModel
import MetaCache

/// Where a session's view of a mailbox stands: the mailbox (by GUID, so a rename elsewhere does not lose it) and
/// the HIGHESTMODSEQ the view has seen. A write given one (`catchUp:` of `storeFlags`, `expungeDeletedMessages`,
/// `saveMessages`) also reads, in its own transaction, what changed in the mailbox after it, and returns that as a
/// `MailboxCatchUp`: the session brings its view up to date without reading the index again. Opaque: two cursors
/// are equal when they stand at the same place and ask for the same.
public struct MailboxCursor: Sendable, Equatable {
    let request: CatchUpRequest

    /// The view is at `mailbox` as it was read. `claimingRecent`: the session announces new mail at once, so the
    /// write also takes for it the \Recent messages past the view's UIDNEXT (`MailboxCatchUp.claimedRecent`),
    /// which would otherwise be a write of its own after every APPEND into the selected mailbox.
    public init(_ mailbox: Mailbox, claimingRecent: Bool) {
        request = CatchUpRequest(
            mailboxGUID: mailbox.guid, sinceModSeq: mailbox.highestModSeq,
            claimingRecentAfter: claimingRecent ? mailbox.uidNext : nil)
    }

    init(_ request: CatchUpRequest) { self.request = request }
}

/// A mailbox as it is now and what changed in it after the MODSEQ a session had seen (`MailUser.changes(in:)`,
/// `MailboxCatchUp.changes`).
public struct MailboxDelta: Sendable, Equatable {
    public let mailbox: Mailbox
    /// Messages added or changed after the MODSEQ, in UID order (empty when HIGHESTMODSEQ did not move).
    public let changed: [MessageState]
    /// UIDs expunged after the MODSEQ, ascending.
    public let expunged: [UInt32]
    /// How many messages the mailbox holds now, so the caller can check that applying the changes to what it
    /// knew gives the index's state (rows can also go without an expunge record, e.g. when a merge drops them);
    /// nil when nothing changed.
    public let messageCount: Int?

}

extension MailboxDelta {
    init(_ changes: MailboxChanges) {
        self.init(
            mailbox: Mailbox(changes.mailbox), changed: changes.changed, expunged: changes.expunged,
            messageCount: changes.messageCount)
    }
}

/// The changes a `MailboxCursor` asked for, as of the write that read them, and that write's index generation
/// (`MailUser.indexGeneration`): while the generation is unchanged, the index is as these changes leave it.
/// A class: a session's command handlers hold one across awaits, and each async frame keeps what it holds for the
/// connection's lifetime in the task's allocator.
public final class MailboxCatchUp: Sendable, Equatable {
    public let cursor: MailboxCursor
    /// Nil when the mailbox is gone.
    public let changes: MailboxDelta?
    public let generation: UInt64
    /// The first \Recent UID the write took for the session (as `MailUser.claimRecent` returns it), when the cursor
    /// asked and new messages were unclaimed; `changes.mailbox` already shows them taken.
    public let claimedRecent: UInt32?

    init(_ caughtUp: CaughtUp) {
        cursor = MailboxCursor(caughtUp.request)
        changes = caughtUp.changes.map(MailboxDelta.init)
        generation = caughtUp.generation
        claimedRecent = caughtUp.claimedRecent
    }

    public static func == (a: MailboxCatchUp, b: MailboxCatchUp) -> Bool {
        a.cursor == b.cursor && a.changes == b.changes && a.claimedRecent == b.claimedRecent && a.generation == b.generation
    }
}
