import MailModel
import MetaCache

// The results of writes, as the protocols see them: each wraps the index's result (object keys and the like stay
// inside) and carries the catch-up its `MailboxCursor` asked for, converted once.

/// What a save, COPY or MOVE added: the new UIDs in order, with the destination's UIDVALIDITY (APPENDUID, COPYUID).
public struct UIDAssignment: Sendable, Equatable {
    let assigned: AssignedUIDs
    /// What the write's cursor asked for (`catchUp:`), nil without one.
    public let caughtUp: MailboxCatchUp?

    init(_ assigned: AssignedUIDs) { (self.assigned, caughtUp) = (assigned, assigned.caughtUp.map(MailboxCatchUp.init)) }

    public var uidValidity: UInt32 { assigned.uidValidity }
    /// The copied messages' UIDs in the source (COPY, MOVE), in the order of `destinationUIDs`; empty for a save.
    public var sourceUIDs: [UInt32] { assigned.sourceUIDs }
    public var destinationUIDs: [UInt32] { assigned.destinationUIDs }
    public var modSeq: Int64 { assigned.modSeq }
}

/// What an EXPUNGE removed.
public struct ExpungeOutcome: Sendable, Equatable {
    let result: ExpungeResult
    /// What the write's cursor asked for (`catchUp:`), nil without one.
    public let caughtUp: MailboxCatchUp?

    init(_ result: ExpungeResult) { (self.result, caughtUp) = (result, result.caughtUp.map(MailboxCatchUp.init)) }

    public var expungedUIDs: [UInt32] { result.expungedUIDs }
    public var modSeq: Int64 { result.modSeq }
}

/// What a STORE changed.
public struct FlagStoreOutcome: Sendable, Equatable {
    let result: FlagStoreResult
    /// What the write's cursor asked for (`catchUp:`), nil without one.
    public let caughtUp: MailboxCatchUp?

    init(_ result: FlagStoreResult) { (self.result, caughtUp) = (result, result.caughtUp.map(MailboxCatchUp.init)) }

    /// Messages whose flags changed, with their new state and MODSEQ.
    public var changed: [MessageState] { result.changed }
    /// UIDs not changed because their MODSEQ was above UNCHANGEDSINCE (RFC 7162 MODIFIED).
    public var modifiedSince: [UInt32] { result.modifiedSince }
}
