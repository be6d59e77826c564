import Foundation
import IMAPProtocol
import NIOCore
import ObjectMail

extension IMAPSession {
    /// A command naming a mailbox that is not valid modified UTF-7 (`undecodable` says why): valid syntax, so no
    /// BAD, but no such mailbox can exist. Answers it as Dovecot does (NO; LSUB lists nothing) and returns true,
    /// or false when the command runs anyway: NOTIFY (such names match nothing), and COPY/MOVE without a
    /// selected mailbox (their state error comes first). LIST drops such patterns while parsing.
    func refusedForUndecodableName(_ tagged: TaggedCommand) -> Bool {
        guard let reason = tagged.undecodableMailboxName else { return false }
        switch tagged.command {
        case .notify, .list:
            return false
        case .copy, .move:
            guard selected != nil else { return false }
        case .lsub:
            self.tagged(tagged.tag, .ok, "Lsub completed.")
            return true
        case .select, .examine:
            // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected; [CLOSED] as for any other SELECT.
            if selected != nil {
                selected = nil
                encoder.writeUntagged(.ok, code: .closed, "Previous mailbox closed.", into: &output)
            }
        default:
            break
        }
        self.tagged(tagged.tag, .no, reason)
        return true
    }

}
