import IMAPProtocol
import MailModel
import ObjectMail

/// EXPUNGE and UID EXPUNGE (RFC 4315).
extension IMAPSession {
    func expunge(tag: String, only set: SequenceSet?, user: MailUser) async throws {
        guard let current = selected else { return }
        guard !current.readOnly else { return tagged(tag, .no, code: .readOnly, "Mailbox is read-only.") }
        // UID EXPUNGE touches only messages this session knows; plain EXPUNGE every \Deleted one.
        let among = set.map { UIDSet(current.view.uids(in: $0, byUID: true)) } ?? .all
        var caughtUp: MailboxCatchUp?
        if !among.isEmpty {
            let result = try await user.expungeDeletedMessages(among: among, in: current.mailbox, origin: id, catchUp: viewCursor)
            statistics.expunged += result.expungedUIDs.count
            caughtUp = result.caughtUp
        }
        await synchronize(caughtUp: caughtUp)
        tagged(tag, .ok, code: highestModSeqCode(always: true), "Expunge completed.")
    }
}
