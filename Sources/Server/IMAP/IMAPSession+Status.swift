import Foundation
import IMAPProtocol
import ObjectMail

/// STATUS (RFC 9051 §6.3.11) with STATUS=SIZE and the CONDSTORE/QRESYNC items.
extension IMAPSession {
    /// `* STATUS` for `name`. `solicited`: asked for by the client (STATUS, LIST-STATUS, NOTIFY SET STATUS), not
    /// the report of another session's change.
    func status(mailbox name: String, attributes: [StatusAttribute], solicited: Bool = true, user: MailUser) async throws {
        let mailbox = try await user.mailbox(name)
        let states = try await user.messageStates(in: mailbox)
        // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE-enabling command (also inside LIST-STATUS and NOTIFY SET
        // STATUS, as in Dovecot).
        if solicited && attributes.contains(.highestModSeq) { enableCondstore() }
        var items: [(StatusAttribute, UInt64)] = []
        for attribute in attributes {
            switch attribute {
            case .messages: items.append((attribute, UInt64(states.count)))
            case .recent: items.append((attribute, UInt64(states.filter { $0.uid >= mailbox.firstRecentUID }.count)))
            case .uidNext: items.append((attribute, UInt64(mailbox.uidNext)))
            case .uidValidity: items.append((attribute, UInt64(mailbox.uidValidity)))
            case .unseen: items.append((attribute, UInt64(states.filter { !$0.flags.contains(.seen) }.count)))
            case .highestModSeq: items.append((attribute, UInt64(max(mailbox.highestModSeq, 1))))
            case .deleted: items.append((attribute, UInt64(states.filter { $0.flags.contains(.deleted) }.count)))
            case .size:
                let size = try await user.messages(.all, in: mailbox).reduce(Int64(0)) { $0 + $1.virtualSize }
                items.append((attribute, UInt64(size)))
            case .appendLimit: continue
            }
        }
        encoder.writeStatus(mailbox: mailbox.name, items, into: &output)
    }
}
