import IMAPProtocol
import ObjectMail

extension IMAPSession {
    /// The command as this session runs it: `imap_client_workarounds = tb-extra-mailbox-sep` drops the
    /// separator Thunderbird sometimes puts after a mailbox name.
    func applyingWorkarounds(_ command: IMAPCommand) -> IMAPCommand {
        guard configuration.clientWorkarounds.contains(.tbExtraMailboxSep) else { return command }
        func trim(_ name: String) -> String {
            var name = name
            while name.count > 1 && name.hasSuffix(String(MailboxName.separator)) { name.removeLast() }
            return name
        }
        switch command {
        case .select(let mailbox, let parameters): return .select(mailbox: trim(mailbox), parameters)
        case .examine(let mailbox, let parameters): return .examine(mailbox: trim(mailbox), parameters)
        case .delete(let mailbox): return .delete(mailbox: trim(mailbox))
        case .rename(let from, let to): return .rename(from: trim(from), to: trim(to))
        case .subscribe(let mailbox): return .subscribe(mailbox: trim(mailbox))
        case .unsubscribe(let mailbox): return .unsubscribe(mailbox: trim(mailbox))
        case .status(let mailbox, let attributes): return .status(mailbox: trim(mailbox), attributes)
        case .append(let mailbox, let messages): return .append(mailbox: trim(mailbox), messages)
        case .copy(let set, let mailbox, let uid): return .copy(set, mailbox: trim(mailbox), uid: uid)
        case .move(let set, let mailbox, let uid): return .move(set, mailbox: trim(mailbox), uid: uid)
        default: return command
        }
    }

    /// `mail_max_keyword_length`: the first keyword that is too long, if any.
    func overlongKeyword(in flags: [String]) -> String? {
        let limit = configuration.maxKeywordLength
        guard limit > 0 else { return nil }
        return flags.first { !$0.hasPrefix("\\") && $0.utf8.count > limit }
    }
}
