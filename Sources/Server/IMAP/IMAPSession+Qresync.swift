import IMAPProtocol
import MetaCache
import ObjectMail

/// ENABLE and QRESYNC (RFC 5161, RFC 7162 §3.2): quick resynchronisation from the index's expunge log.
extension IMAPSession {
    /// Extensions ENABLE can switch on; anything else is silently not enabled, as RFC 5161 asks.
    func enable(tag: String, _ extensions: [String]) {
        var enabled: [String] = []
        for name in extensions.map({ $0.uppercased() }) {
            switch name {
            case "CONDSTORE" where !condstore:
                enableCondstore()
                enabled.append(name)
            case "QRESYNC" where !qresync:
                // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
                qresync = true
                enableCondstore()
                enabled.append(name)
            case "IMAP4REV2" where !imap4rev2:
                // RFC 9051 quoted strings and mailbox names are UTF-8.
                imap4rev2 = true
                acceptUTF8()
                enabled.append("IMAP4rev2")
            case "UTF8=ACCEPT" where !encoder.utf8Accept:
                acceptUTF8()
                enabled.append(name)
            default:
                continue
            }
        }
        encoder.writeEnabled(enabled, into: &output)
        tagged(tag, .ok, "Enabled.")
    }

    /// Switches CONDSTORE on for the rest of the session (ENABLE, or the first FETCH/STORE/SEARCH that uses
    /// MODSEQ). RFC 7162 §3.1: with a mailbox selected, the first CONDSTORE-enabling command reports the mailbox's
    /// HIGHESTMODSEQ in an untagged OK before its own responses, the value the client's MODSEQs start from.
    /// SELECT/EXAMINE (CONDSTORE) need not call this: they report HIGHESTMODSEQ anyway.
    func enableCondstore() {
        guard !condstore else { return }
        condstore = true
        guard let current = selected else { return }
        encoder.writeUntagged(.ok, code: .highestModSeq(UInt64(max(current.mailbox.highestModSeq, 1))), "Highest", into: &output)
    }

    /// UTF8=ACCEPT (RFC 6855): mailbox names raw UTF-8 both ways, UTF-8 in quoted strings.
    private func acceptUTF8() {
        encoder.utf8Accept = true
        parser.options.utf8Accept = true
    }

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
            encoder.writeFetch(sequence: UInt32(position + 1),
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
