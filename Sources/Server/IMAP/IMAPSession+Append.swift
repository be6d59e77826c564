import Foundation
import IMAPProtocol
import MailModel
import NIOCore
import ObjectMail

/// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND; large literals arrive through +SpooledAppend, CATENATE through +Catenate.
extension IMAPSession {
    func append(tag: String, mailbox name: String, messages: [AppendMessage], user: MailUser) async throws {
        let mailbox = try await user.mailbox(name)
        var incoming: [IncomingMessage] = []
        for message in messages {
            if let keyword = overlongKeyword(in: message.flags) {
                return tagged(tag, .no, "Invalid keyword '\(keyword)': Keyword length too long")
            }
            let (flags, keywords) = Self.splitFlags(message.flags)
            // A date-time that names no real moment (31-Feb, 25:00) is taken as no date, as Dovecot does.
            let date =
                message.internalDate.flatMap { $0.isValid ? Date(timeIntervalSince1970: TimeInterval($0.secondsSinceEpoch)) : nil }
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
        let assigned = try await user.saveMessages(incoming, to: mailbox, origin: id, catchUp: intoSelected ? viewCursor : nil)
        if intoSelected { await synchronize(caughtUp: assigned.caughtUp) }
        tagged(
            tag, .ok,
            code: .appendUID(
                uidValidity: assigned.uidValidity,
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
