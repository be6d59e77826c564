import Foundation
import MIME
import ObjectMail
import Primitives
import Sieve

/// The messages Sieve's actions send, written as Pigeonhole writes them: the redirected message, the rejection
/// (an RFC 3798 disposition notification, RFC 5429 §2.1.1) and the vacation response (RFC 5230 §5).
struct SieveOutgoingMail {
    /// The message as the scripts saw it (our trace header lines in front).
    var original: [UInt8]
    /// Our host name (Message-IDs, Reporting-UA).
    var hostname: String
    var now = Date()

    static let implementation = "ObjectMail Sieve"

    private var header: HeaderBlock { HeaderBlock.parse(original) }

    /// The first value of a header field, unfolded.
    func value(_ name: String) -> String? {
        header.all(name).first.map { String(decoding: $0.unfoldedValue(in: original), as: UTF8.self) }
    }

    func newMessageID() -> String { "<\(UniqueID.make())@\(hostname)>" }

    var date: String { DeliveryHeaders.rfc5322Date(now) }

    /// Whether the message says it was sent automatically (`Auto-Submitted` other than `no`): no rejection then.
    var isAutoSubmitted: Bool {
        guard let value = value("Auto-Submitted") else { return false }
        return value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } != "no"
    }

    /// The message to forward: Return-Path and earlier X-Sieve lines left out, ours added, and a Message-ID when it
    /// had none.
    func redirected(by user: String) -> [UInt8] {
        let hidden: Set<String> = ["return-path", "x-sieve", "x-sieve-redirected-from"]
        var out = Array("X-Sieve: \(Self.implementation)\r\nX-Sieve-Redirected-From: \(user)\r\n".utf8)
        if value("Message-ID") == nil { out += Array("Message-ID: \(newMessageID())\r\n".utf8) }
        let block = header
        var position = 0
        for field in block.fields {
            out += original[position..<field.start]
            if !hidden.contains(field.name.lowercased()) { out += field.raw(in: original) }
            position = field.end
        }
        out += original[position...]
        return out
    }

    /// The rejection sent to the envelope sender: a multipart/report with the reason, the disposition
    /// notification and the original header.
    func rejection(reason: String, from postmaster: String, to sender: String, finalRecipient: String, originalRecipient: String?) -> [UInt8] {
        let boundary = "\(UniqueID.make())/\(hostname)"
        let subject = Self.oneLine(value("Subject") ?? "")
        var text = """
            X-Sieve: \(Self.implementation)\r
            Message-ID: \(newMessageID())\r
            Date: \(date)\r
            From: Postmaster <\(postmaster)>\r
            To: <\(sender)>\r
            Subject: Rejected: \(subject)\r
            Auto-Submitted: auto-replied (rejected)\r
            Precedence: bulk\r
            MIME-Version: 1.0\r
            Content-Type: multipart/report; report-type=disposition-notification;\r
            \tboundary="\(boundary)"\r
            \r
            This is a MIME-encapsulated message\r
            \r
            --\(boundary)\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Disposition: inline\r
            Content-Transfer-Encoding: 8bit\r
            \r
            Your message to <\(finalRecipient)> was automatically rejected:\r
            \(Self.crlf(reason))\r
            \r
            --\(boundary)\r
            Content-Type: message/disposition-notification\r
            \r
            Reporting-UA: \(hostname); \(Self.implementation)\r

            """
        if let originalRecipient { text += "Original-Recipient: rfc822; \(originalRecipient)\r\n" }
        text += "Final-Recipient: rfc822; \(finalRecipient)\r\n"
        if let id = value("Message-ID") { text += "Original-Message-ID: \(id)\r\n" }
        text += "Disposition: automatic-action/MDN-sent-automatically; deleted\r\n\r\n"
        text += "--\(boundary)\r\nContent-Type: message/rfc822\r\n\r\n"
        return Array(text.utf8) + original[..<header.bodyStart] + Array("\r\n--\(boundary)--\r\n".utf8)
    }

    /// The vacation response: from the recipient (or `:from`), to the sender, in reply to the message.
    func vacationResponse(_ vacation: SieveVacation, recipient: String) -> [UInt8] {
        var text = "X-Sieve: \(Self.implementation)\r\nMessage-ID: \(newMessageID())\r\nDate: \(date)\r\n"
        text += "From: \(vacation.from.map(Self.oneLine) ?? "<\(recipient)>")\r\n"
        text += "To: <\(vacation.recipient)>\r\n"
        text += "Subject: \(Self.oneLine(vacation.subject ?? "Auto: " + (value("Subject") ?? "")))\r\n"
        if let id = value("Message-ID") {
            text += "In-Reply-To: \(id)\r\n"
            text += "References: \(value("References").map { $0 + " " } ?? "")\(id)\r\n"
        }
        text += "Auto-Submitted: auto-replied (vacation)\r\nPrecedence: bulk\r\nMIME-Version: 1.0\r\n"
        if vacation.mime {
            // :mime: the reason is a MIME entity, its own header fields first.
            return Array((text + Self.crlf(vacation.reason)).utf8) + Array("\r\n".utf8)
        }
        text += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        return Array((text + Self.crlf(vacation.reason) + "\r\n").utf8)
    }

    /// A value for one header line: line breaks become spaces.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 })
    }

    /// Text with CRLF line ends.
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    }
}
