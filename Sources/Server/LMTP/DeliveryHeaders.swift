import Foundation
import Primitives

/// The header lines Dovecot's LMTP puts in front of each recipient's copy:
/// `Return-Path`, `Delivered-To` (lda_add_delivered_to_header), the original-recipient header
/// (lda_original_recipient_header) and a `Received:` trace line.
struct DeliveryHeaders {
    var configuration: LMTPConfiguration

    func header(for recipient: LMTPRecipient, mailFrom: String, session: LMTPSessionInfo, date: Date = Date()) -> [UInt8] {
        var text = "Return-Path: <\(mailFrom)>\r\n"
        if configuration.addDeliveredTo { text += "Delivered-To: \(recipient.address)\r\n" }
        if !configuration.originalRecipientHeader.isEmpty {
            text += "\(configuration.originalRecipientHeader): \(recipient.originalRecipient ?? recipient.address)\r\n"
        }
        let from = session.helo.isEmpty ? "" : "from \(session.helo) ([\(session.remoteIP)])\r\n\t"
        text += "Received: \(from)by \(configuration.hostname) with LMTP\r\n\tid \(session.id)\r\n"
        text += "\t(envelope-from <\(mailFrom)>)\r\n\tfor <\(recipient.address)>; \(Self.rfc5322Date(date))\r\n"
        return Array(text.utf8)
    }

    /// `Sun, 22 Nov 2026 05:12:09 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let (day, second) = CivilDate.split(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded(.down)))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilDate.weekdayAbbreviations[day.weekday]), \(two(day.day)) \(CivilDate.monthAbbreviations[day.month - 1]) \(day.year) "
            + "\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) +0000"
    }

    /// The Message-ID header's value for the log line, without parsing the whole message.
    static func messageID(in message: [UInt8]) -> String {
        var lineStart = 0
        let name = Array("message-id:".utf8)
        while lineStart < message.count {
            let lineEnd = message[lineStart...].firstIndex(of: 10) ?? message.count
            let line = message[lineStart..<lineEnd]
            if line.isEmpty || line == [13] { return "" } // end of the header
            if line.count > name.count, zip(line.prefix(name.count), name).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                return String(decoding: line.dropFirst(name.count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            lineStart = lineEnd + 1
        }
        return ""
    }
}
