import Foundation
import MailModel
import MetaCache

extension MailUser {
    /// COPY inside the user: new index rows referring to the same objects. No store request.
    public func copyMessages(
        _ uids: UIDSet, from source: Mailbox, to destination: Mailbox,
        origin: UUID? = nil
    ) async throws -> UIDAssignment {
        let copying = quotaIsLimited || mailLogWants(.copy) ? try await records(uids, in: source) : []
        if quotaIsLimited {
            try await checkQuota(adding: copying.count, bytes: copying.reduce(0) { $0 + $1.size }, into: destination.name, grace: false)
        }
        let copied = try await mapErrors { try await index.copyMessages(uids, from: source.id.value, to: destination.id.value) }
        publishAppended(copied, to: destination, origin: origin)
        await mailLogCopied(copying, assigned: copied, from: source, to: destination)
        return UIDAssignment(copied)
    }

    /// MOVE inside the user: copy by reference and expunge the originals. No store request.
    public func moveMessages(
        _ uids: UIDSet, from source: Mailbox, to destination: Mailbox,
        origin: UUID? = nil
    ) async throws -> (UIDAssignment, ExpungeOutcome) {
        // As Dovecot's MOVE (a copy, then an expunge of the source): mail_log writes copy lines, then expunge lines.
        let moving = mailLogWants(.copy) || mailLogWants(.expunge) ? try await records(uids, in: source) : []
        let (copied, expunged) = try await mapErrors { try await index.moveMessages(uids, from: source.id.value, to: destination.id.value) }
        publishAppended(copied, to: destination, origin: origin)
        publishExpunged(expunged, in: source, origin: origin)
        await mailLogCopied(moving, assigned: copied, from: source, to: destination)
        await mailLogExpunged(moving, result: expunged, in: source)
        return (UIDAssignment(copied), ExpungeOutcome(expunged))
    }

    /// EXPUNGE: the rows go at once; objects nothing refers to any more are deleted from the store
    /// in bulk requests (⌈N/1000⌉ DeleteObjects on S3).
    public func expungeMessages(_ uids: UIDSet, in mailbox: Mailbox, origin: UUID? = nil) async throws -> ExpungeOutcome {
        let logged = await mailLogExpungeCandidates(uids, in: mailbox, onlyDeleted: false)
        return ExpungeOutcome(
            try await expunged(in: mailbox, origin: origin, logging: logged) {
                try await index.expungeMessages(uids, in: mailbox.id.value)
            })
    }

    /// IMAP EXPUNGE, UID EXPUNGE and CLOSE: the messages among `uids` flagged \Deleted when the index
    /// writes, found by the index itself (one query, not a read of the whole mailbox).
    /// `catchUp`: the session's view, whose changes the write reads (see `MailboxCursor`).
    public func expungeDeletedMessages(
        among uids: UIDSet = .all, in mailbox: Mailbox, origin: UUID? = nil,
        catchUp: MailboxCursor? = nil
    ) async throws -> ExpungeOutcome {
        let logged = await mailLogExpungeCandidates(uids, in: mailbox, onlyDeleted: true)
        return ExpungeOutcome(
            try await expunged(in: mailbox, origin: origin, logging: logged) {
                try await index.expungeDeleted(among: uids, in: mailbox.id.value, catchingUp: catchUp?.request)
            })
    }

    /// `logging`: the records mail_log writes a line for when the expunge removed them.
    func expunged(
        in mailbox: Mailbox, origin: UUID?, logging: [MessageRecord] = [], description: String = "expunge",
        by expunge: () async throws -> ExpungeResult
    ) async throws -> ExpungeResult {
        let result = try await mapErrors(expunge)
        publishExpunged(result, in: mailbox, origin: origin)
        await mailLogExpunged(logging, result: result, in: mailbox, description: description)
        if !result.releasedObjects.isEmpty { await deletePendingObjects(result.pendingObjectDeletes) }
        return result
    }

    /// STORE flags and keywords, with CONDSTORE's UNCHANGEDSINCE. `catchUp`: the session's view, whose changes
    /// the write reads (see `MailboxCursor`).
    public func storeFlags(
        _ change: FlagChange, on uids: UIDSet, in mailbox: Mailbox, unchangedSince: Int64? = nil,
        origin: UUID? = nil, catchUp: MailboxCursor? = nil
    ) async throws -> FlagStoreOutcome {
        let before = await mailLogFlagCandidates(uids, in: mailbox)
        let result = try await mapErrors {
            try await index.storeFlags(change, on: uids, in: mailbox.id.value, unchangedSince: unchangedSince, catchingUp: catchUp?.request)
        }
        if !result.changed.isEmpty {
            publish(MailEvent(mailboxID: mailbox.id, mailboxName: mailbox.name, origin: origin, change: .flagsChanged(result.changed)))
        }
        await mailLogFlagChanges(before: before, after: result.changed, in: mailbox)
        return FlagStoreOutcome(result)
    }

    func publishAppended(_ assigned: AssignedUIDs, to mailbox: Mailbox, origin: UUID?) {
        guard !assigned.destinationUIDs.isEmpty else { return }
        publish(
            MailEvent(
                mailboxID: mailbox.id, mailboxName: mailbox.name, origin: origin,
                change: .appended(uids: assigned.destinationUIDs, modSeq: assigned.modSeq)))
    }

    func publishExpunged(_ result: ExpungeResult, in mailbox: Mailbox, origin: UUID?) {
        guard !result.expungedUIDs.isEmpty else { return }
        publish(
            MailEvent(
                mailboxID: mailbox.id, mailboxName: mailbox.name, origin: origin,
                change: .expunged(uids: result.expungedUIDs, modSeq: result.modSeq)))
    }

    public func messageStates(in mailbox: Mailbox) async throws -> [MessageState] {
        try await mapErrors { try await index.messageStates(in: mailbox.id.value) }
    }

    /// The messages among `uids`, in UID order, with their cached MIME fields.
    public func messages(_ uids: UIDSet, in mailbox: Mailbox) async throws -> [MessageSummary] {
        try await records(uids, in: mailbox).map(MessageSummary.init)
    }

    func records(_ uids: UIDSet, in mailbox: Mailbox) async throws -> [MessageRecord] {
        try await mapErrors { try await index.messages(uids, in: mailbox.id.value) }
    }

    /// Changes after every change to the user's index (by any session, LMTP delivery, recovery …).
    /// Read it before reading the index: if it is the same later, the index is as it was then.
    public nonisolated var indexGeneration: UInt64 { index.writeGeneration }

    /// The mailbox as the index has it now and what changed in it after the HIGHESTMODSEQ of `mailbox`
    /// (what a session last saw): one index read, however large the mailbox.
    public func changes(in mailbox: Mailbox) async throws -> MailboxDelta {
        try await mapErrors {
            guard let changes = try await index.mailboxChanges(guid: mailbox.guid, since: mailbox.highestModSeq) else {
                throw StorageError.mailboxNotFound(user: name, mailbox: mailbox.name)
            }
            return MailboxDelta(changes)
        }
    }

    /// The mailbox as the index has it now (UIDNEXT, HIGHESTMODSEQ …).
    /// Looked up by GUID, so a mailbox renamed by another session is still the same mailbox.
    public func refresh(_ mailbox: Mailbox) async throws -> Mailbox {
        try await mapErrors {
            guard let current = try await index.mailbox(guid: mailbox.guid) else {
                throw StorageError.mailboxNotFound(user: name, mailbox: mailbox.name)
            }
            return Mailbox(current)
        }
    }
}

extension MailUser {
    /// The first UID that is \Recent for the calling session; later sessions no longer see those
    /// messages as \Recent (RFC 3501). IMAP SELECT needs it; the index keeps it per mailbox.
    public func claimRecent(in mailbox: Mailbox) async throws -> UInt32 {
        try await mapErrors { try await index.claimRecent(in: mailbox.id.value) }
    }
}
