import Foundation
import IMAPProtocol
import MetaCache
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

    func append(tag: String, mailbox name: String, messages: [AppendMessage], user: MailUser) async throws {
        let mailbox = try await user.mailbox(name)
        var incoming: [IncomingMessage] = []
        for message in messages {
            if let keyword = overlongKeyword(in: message.flags) {
                return tagged(tag, .no, "Invalid keyword '\(keyword)': Keyword length too long")
            }
            let (flags, keywords) = Self.splitFlags(message.flags)
            // A date-time that names no real moment (31-Feb, 25:00) is taken as no date, as Dovecot does.
            let date = message.internalDate.flatMap { $0.isValid ? Date(timeIntervalSince1970: TimeInterval($0.secondsSinceEpoch)) : nil }
                ?? Date()
            if case .literal(let literal, false, _) = message.content, let spool = spooledAppend?.spool(for: literal) {
                // Received into a file: parsed from it and uploaded from it, never loaded here.
                incoming.append(IncomingMessage(spool: spool, flags: flags, keywords: keywords, internalDate: date))
                continue
            }
            let bytes: [UInt8]
            do {
                bytes = try await appendBytes(message.content, user: user)
            } catch let error as AppendContentError {
                return refuseAppend(tag, error)
            }
            incoming.append(IncomingMessage(bytes: bytes, flags: flags, keywords: keywords, internalDate: date))
        }
        let intoSelected = selected?.mailbox.id == mailbox.id
        let assigned = try await user.saveMessages(incoming, to: mailbox, origin: id, catchUp: intoSelected ? catchUpRequest : nil)
        if intoSelected { await synchronize(allowExpunge: true, caughtUp: assigned.caughtUp) }
        tagged(tag, .ok, code: .appendUID(uidValidity: assigned.uidValidity,
                                          uids: SequenceSetFormatter.runs(assigned.destinationUIDs)), "Append completed.")
    }

    /// System flags and keywords of a flag list; \Recent cannot be set by a client.
    static func splitFlags(_ names: [String]) -> (MessageFlags, [String]) {
        var flags: MessageFlags = []
        var keywords: [String] = []
        for name in names {
            if let flag = MessageFlags(imapName: name) {
                flags.insert(flag)
            } else if !name.hasPrefix("\\") {
                keywords.append(name)
            }
        }
        return (flags, keywords)
    }
}

/// A LIST pattern: `*` matches anything, `%` anything but the hierarchy separator (RFC 3501 §6.3.8).
/// INBOX is matched case-insensitively, as its name is.
struct MailboxPattern {
    let characters: [Character]
    let separator: Character

    init(_ pattern: String, separator: Character) {
        var text = pattern
        if text.uppercased().hasPrefix("INBOX") {
            let rest = text.dropFirst(5)
            if rest.isEmpty || rest.first == separator { text = "INBOX" + rest }
        }
        characters = Array(text)
        self.separator = separator
    }

    /// INBOX is case-insensitive (RFC 3501 §5.1), so a pattern matches it in any case (`*b*` lists INBOX, as in Dovecot).
    func matches(_ name: String) -> Bool {
        if Self.match(characters[...], Array(name)[...], separator: separator) { return true }
        guard name == "INBOX" else { return false }
        return Self.match(Array(String(characters).uppercased())[...], Array(name)[...], separator: separator)
    }

    private static func match(_ pattern: ArraySlice<Character>, _ name: ArraySlice<Character>, separator: Character) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        let rest = pattern.dropFirst()
        switch first {
        case "*", "%":
            var candidate = name
            while true {
                if match(rest, candidate, separator: separator) { return true }
                guard let next = candidate.first, first == "*" || next != separator else { return false }
                candidate = candidate.dropFirst()
            }
        default:
            guard name.first == first else { return false }
            return match(rest, name.dropFirst(), separator: separator)
        }
    }
}
