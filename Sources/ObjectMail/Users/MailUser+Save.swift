import Foundation
import MIME
import MailModel
import MetaCache
import ObjectStore
import Primitives

extension MailUser {
    /// Saves messages into a mailbox: each is parsed once (its envelope, structure and preview are
    /// cached in the index so that a first sync needs no GET), stored as one object, and only then
    /// added to the index in one transaction. Success is returned only after both (durability rule
    /// 1). A save answered with a failure leaves nothing that can become mail later: its objects go into the
    /// refused-saves ledger before the error is thrown (see `RefusedSaves`), and nothing is added to the index.
    /// `quota`: how the quota limits apply (see `SaveQuotaCheck`). `catchUp`: the session's view of `mailbox`, whose
    /// changes the write reads (see `MailboxCursor`).
    public func saveMessages(
        _ messages: [IncomingMessage], to mailbox: Mailbox, now: Date = Date(),
        origin: UUID? = nil, quota quotaCheck: SaveQuotaCheck = .enforced,
        catchUp: MailboxCursor? = nil
    ) async throws -> UIDAssignment {
        // Bodies in memory count against the process's budget until the save is over (spooled ones live on disk).
        let inMemory = messages.reduce(Int64(0)) { $0 + Int64($1.bytes.count) }
        guard let taken = SaveMemoryBudget.shared.reserve(inMemory) else {
            logger.warning(
                "save refused: mail_save_memory_limit reached",
                metadata: [
                    "bytes": "\(inMemory)",
                    "inuse": "\(SaveMemoryBudget.shared.inUse)"
                ])
            let detail = "memory budget for saves in flight exhausted"
            throw StorageError.store(user: name, StoreFailure(.unavailable(key: "mail_save_memory_limit", detail: detail, requestID: nil)))
        }
        defer { SaveMemoryBudget.shared.release(taken) }
        let writer = MailObjectWriter(user: name, store: store, layout: layout, maxParallelWrites: configuration.maxParallelWrites)
        var prepared: [MailObjectWriter.Prepared] = []
        for message in messages { prepared.append(try await writer.prepare(message, mailbox: mailbox, now: now)) }
        if quotaCheck == .notEnforced {
            // Usage is still tracked: the warnings compare it with what it was before this save.
            await primeQuotaWarnings()
        } else {
            try await checkQuota(
                adding: prepared.count, bytes: prepared.reduce(0) { $0 + $1.row.size },
                into: mailbox.name, grace: quotaCheck == .withGrace)
        }
        let keys = prepared.map(\.row.objectKey)
        savesInFlight.formUnion(keys)
        defer { savesInFlight.subtract(keys) }
        let (stored, failure) = await writer.store(prepared)
        if let failure {
            // A PUT that failed here may still complete at the server (a stalled S3 finishing it later).
            refuseSaves(existing: stored, uncertain: keys.filter { !stored.contains($0) })
            logger.error("saving failed: \(failure)", metadata: ["box": "\(mailbox.name)"])
            throw StorageError.fromStore(failure, user: name)
        }
        let assigned: AssignedUIDs
        do {
            assigned = try await mapErrors {
                try await index.appendMessages(prepared.map(\.row), toMailbox: mailbox.id.value, catchingUp: catchUp?.request)
            }
        } catch {
            // The objects exist without rows: the client is told the save failed, so they must never become mail.
            refuseSaves(existing: keys, uncertain: [])
            logger.error("saving failed: \(error)", metadata: ["box": "\(mailbox.name)"])
            throw error
        }
        for (item, uid) in zip(prepared, assigned.destinationUIDs) {
            logger.info(
                "saved",
                metadata: [
                    "box": "\(mailbox.name)", "uid": "\(uid)", "size": "\(item.row.size)",
                    "msgid": "\(item.messageID)"
                ])
        }
        publishAppended(assigned, to: mailbox, origin: origin)
        await mailLogSaved(assigned, in: mailbox)
        return UIDAssignment(assigned)
    }
}
