import Foundation
import MailModel
import MetaCache

/// Dovecot's `namespace { mailbox NAME { autoexpunge = TIME  autoexpunge_max_mails = N } }`: when a session of the
/// user ends, messages saved into NAME more than TIME ago (and the oldest ones beyond N) are expunged. Everything
/// comes from the index (save dates are index columns): no object is read, only the expunged ones are deleted.
extension MailUser {
    /// Dovecot's AUTOEXPUNGE_BATCH_SIZE: messages expunged per transaction.
    static let autoexpungeBatchSize = 1000

    var hasAutoexpunge: Bool { configuration.mailboxes.contains { $0.autoexpunge != nil || $0.autoexpungeMaxMails > 0 } }

    /// Runs autoexpunge for every configured mailbox. At most one run per user at a time (Dovecot's
    /// dovecot.autoexpunge.lock): a session ending while another run is busy leaves the work to it.
    /// Returns the number of messages expunged.
    @discardableResult
    public func autoexpunge(now: Date = Date()) async -> Int {
        guard hasAutoexpunge, !autoexpunging else { return 0 }
        autoexpunging = true
        defer { autoexpunging = false }
        var total = 0
        for configured in configuration.mailboxes where configured.autoexpunge != nil || configured.autoexpungeMaxMails > 0 {
            do {
                total += try await autoexpunge(configured, now: now)
            } catch {
                mailLogger.error("autoexpunge of \(configured.name.value) failed: \(error)")
            }
        }
        return total
    }

    private func autoexpunge(_ configured: ConfiguredMailbox, now: Date) async throws -> Int {
        // An automatic mailbox not created yet has nothing to expunge.
        guard let mailbox = try await mapErrors({ try await index.mailbox(named: configured.name.value) }).map(Mailbox.init) else {
            return 0
        }
        let savedBefore = configured.autoexpunge.map { Int64(now.timeIntervalSince1970) - $0.components.seconds }
        let uids = try await mapErrors {
            try await index.autoexpungeCandidates(in: mailbox.id.value, savedBefore: savedBefore, maxMails: configured.autoexpungeMaxMails)
        }
        guard !uids.isEmpty else { return 0 }
        var removed = 0
        for start in stride(from: 0, to: uids.count, by: Self.autoexpungeBatchSize) {
            let batch = UIDSet(uids[start..<min(start + Self.autoexpungeBatchSize, uids.count)])
            let logged = await mailLogExpungeCandidates(batch, in: mailbox, onlyDeleted: false)
            // The normal expunge path: other sessions are told (EXPUNGE/VANISHED), objects are deleted, quota follows.
            let result = try await expunged(in: mailbox, origin: nil, logging: logged, description: "autoexpunge") {
                try await index.expungeMessages(batch, in: mailbox.id.value)
            }
            removed += result.expungedUIDs.count
        }
        logger.info("autoexpunged", metadata: ["box": "\(mailbox.name)", "messages": "\(removed)"])
        return removed
    }
}
