import Foundation
import IMAPProtocol
import MailModel
import ObjectMail

/// COPY and MOVE (RFC 6851), by sequence number or UID, answered with COPYUID (RFC 4315).
extension IMAPSession {
    func copy(tag: String, _ set: SequenceSet, to name: String, byUID: Bool, move: Bool, user: MailUser) async throws {
        guard let current = selected else { return }
        if move && current.readOnly { return tagged(tag, .no, code: .readOnly, "Mailbox is read-only.") }
        let destination = try await user.mailbox(name)
        let uids = current.view.uids(in: set, byUID: byUID)
        guard !uids.isEmpty else {
            return tagged(tag, .ok, "No messages found.")
        }
        guard try await expungedMeanwhile(uids, user: user).isEmpty else { return await refuseExpunged(tag, byUID: byUID) }
        let assigned: UIDAssignment
        if move {
            assigned = try await user.moveMessages(UIDSet(uids), from: current.mailbox, to: destination, origin: id).0
        } else {
            assigned = try await user.copyMessages(UIDSet(uids), from: current.mailbox, to: destination, origin: id)
        }
        // Expunged between the check above and the copy: still nothing to name in COPYUID.
        guard !assigned.sourceUIDs.isEmpty else { return await refuseExpunged(tag, byUID: byUID) }
        if destination.specialUse?.caseInsensitiveCompare("\\Trash") == .orderedSame {
            statistics.trashed += assigned.destinationUIDs.count
        }
        let code = ResponseCode.copyUID(
            uidValidity: assigned.uidValidity, source: SequenceSetFormatter.runs(assigned.sourceUIDs),
            destination: SequenceSetFormatter.runs(assigned.destinationUIDs))
        if move {
            encoder.writeUntagged(.ok, code: code, "Moved UIDs.", into: &output)
            // The moved messages' own EXPUNGEs (RFC 6851 §3.3), also after MOVE by sequence number.
            await synchronize(allowExpunge: true)
            tagged(tag, .ok, "Move completed.")
        } else {
            await synchronize()
            tagged(tag, .ok, code: code, "Copy completed.")
        }
    }

}
