import IMAPProtocol

/// ENABLE (RFC 5161): CONDSTORE, QRESYNC, IMAP4rev2, UTF8=ACCEPT.
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
    func acceptUTF8() {
        encoder.utf8Accept = true
        parser.options.utf8Accept = true
    }
}
