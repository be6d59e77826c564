import IMAPProtocol
import MailModel
import ObjectMail

extension IMAPSession {
    /// Dovecot's answer when COPY or MOVE names a message another session expunged (RFC 2180 §4.4.1):
    /// nothing is copied, and the client learns why.
    static let expungedNotice = "Some of the requested messages no longer exist."

    /// The UIDs among `uids` that another session expunged while this view still shows them. Asks the
    /// index only when the last synchronization left a removal unreported, so the common case costs nothing.
    func expungedMeanwhile(_ uids: [UInt32], user: MailUser) async throws -> Set<UInt32> {
        guard let current = selected, current.expungePending, !uids.isEmpty else { return [] }
        let existing = Set(try await user.messages(UIDSet(uids), in: current.mailbox).map(\.uid))
        return Set(uids.filter { !existing.contains($0) })
    }

    /// The tagged NO [EXPUNGEISSUED] for COPY/MOVE, after the untagged updates the command may carry.
    func refuseExpunged(_ tag: String, byUID: Bool) async {
        await synchronize()
        tagged(tag, .no, code: .expungeIssued, Self.expungedNotice)
    }
}
