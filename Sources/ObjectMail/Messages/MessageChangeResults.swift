import MailModel
import MetaCache

/// What a save, COPY or MOVE added: the new UIDs in order, with the destination's UIDVALIDITY (APPENDUID, COPYUID).
public struct UIDAssignment: Sendable, Equatable {
    public let uidValidity: UInt32
    /// The copied messages' UIDs in the source (COPY, MOVE), in the order of `destinationUIDs`; empty for a save.
    public let sourceUIDs: [UInt32]
    public let destinationUIDs: [UInt32]
    public let modSeq: Int64
    /// What the write's cursor asked for (`catchUp:`), nil without one.
    public let caughtUp: MailboxCatchUp?

    init(_ assigned: AssignedUIDs) {
        uidValidity = assigned.uidValidity
        sourceUIDs = assigned.sourceUIDs
        destinationUIDs = assigned.destinationUIDs
        modSeq = assigned.modSeq
        caughtUp = assigned.caughtUp.map(MailboxCatchUp.init)
    }
}

/// What an EXPUNGE removed.
public struct ExpungeOutcome: Sendable, Equatable {
    public let expungedUIDs: [UInt32]
    public let modSeq: Int64
    /// What the write's cursor asked for (`catchUp:`), nil without one.
    public let caughtUp: MailboxCatchUp?

    init(_ result: ExpungeResult) {
        expungedUIDs = result.expungedUIDs
        modSeq = result.modSeq
        caughtUp = result.caughtUp.map(MailboxCatchUp.init)
    }
}

/// What a STORE changed.
public struct FlagStoreOutcome: Sendable, Equatable {
    /// Messages whose flags changed, with their new state and MODSEQ.
    public let changed: [MessageState]
    /// UIDs not changed because their MODSEQ was above UNCHANGEDSINCE (RFC 7162 MODIFIED).
    public let modifiedSince: [UInt32]
    /// What the write's cursor asked for (`catchUp:`), nil without one.
    public let caughtUp: MailboxCatchUp?

    init(_ result: FlagStoreResult) {
        changed = result.changed
        modifiedSince = result.modifiedSince
        caughtUp = result.caughtUp.map(MailboxCatchUp.init)
    }
}
