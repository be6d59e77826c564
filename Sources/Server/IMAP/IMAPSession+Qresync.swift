import IMAPProtocol
import ObjectMail

/// QRESYNC (RFC 7162 §3.2): quick resynchronisation from the index's expunge log.
extension IMAPSession {
    /// SELECT/EXAMINE (QRESYNC (uidvalidity modseq [known-uids])): what the client missed, written before the
    /// tagged OK. Nothing when UIDVALIDITY changed: the client must then start over (RFC 7162 §3.2.5).
    /// The sequence-match data only helps servers without a full expunge log; ours is complete, so it is ignored.
    func writeResync(_ parameters: QResyncParameters, user: MailUser) async throws {
        guard let current = selected, parameters.uidValidity == current.mailbox.uidValidity else { return }
        let since = Int64(clamping: parameters.modSeq)
        let known = parameters.knownUIDs?.resolvedRanges(largest: current.mailbox.uidNext &- 1)
        func isKnown(_ uid: UInt32) -> Bool { known?.contains { $0.contains(uid) } ?? true }
        let vanished = try await user.expungedUIDs(in: current.mailbox, since: since).filter(isKnown)
        if !vanished.isEmpty { encoder.writeVanished(SequenceSetFormatter.compact(vanished), earlier: true, into: &output) }
        for (position, state) in current.view.messages.enumerated() where state.modSeq > since && isKnown(state.uid) {
            encoder.writeFetch(
                sequence: SequenceNumber(position: position),
                [.uid(state.uid), .flags(flagNames(state)), .modSeq(UInt64(state.modSeq))], into: &output)
        }
    }

    /// UID FETCH … (CHANGEDSINCE n VANISHED): the UIDs of `set` expunged since `n`, before the FETCH answers.
    /// `*` stands for the last UID ever given out, so expunged messages at the end are reported too.
    func writeVanishedEarlier(_ set: SequenceSet, since: UInt64, user: MailUser) async throws {
        guard let current = selected else { return }
        let expunged = try await user.expungedUIDs(in: current.mailbox, since: Int64(clamping: since))
        let requested: [UInt32]
        if let ranges = set.resolvedRanges(largest: current.mailbox.uidNext &- 1) {
            requested = expunged.filter { uid in ranges.contains { $0.contains(uid) } }
        } else {
            requested = expunged.filter(Set(current.view.savedSearch).contains)
        }
        // Messages still in the view (their removal not yet reported) are not vanished for the client yet.
        let vanished = requested.filter { current.view.sequence(of: $0) == nil }
        if !vanished.isEmpty { encoder.writeVanished(SequenceSetFormatter.compact(vanished), earlier: true, into: &output) }
    }
}
