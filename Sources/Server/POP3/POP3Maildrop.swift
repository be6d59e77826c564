import Foundation
import MailModel
import ObjectMail

/// One message of the session's maildrop.
struct POP3Message: Sendable {
    /// The index row, without its cached MIME fields (POP3 never needs them).
    var record: MessageSummary
    /// Octets RETR sends for it (CRLF line ends, before dot-stuffing): the index's virtual size.
    var size: Int64
    var uidl: String
    var deleted = false
    /// RETRieved in this session: gets \Seen at the end unless `pop3_no_flag_updates`.
    var retrieved = false
}

/// The INBOX as the session saw it at login (RFC 1939: message numbers are fixed for the whole
/// session). Later changes from IMAP or deliveries do not alter it; a message expunged elsewhere is
/// simply gone when it is read or deleted.
struct POP3Maildrop: Sendable {
    let mailbox: Mailbox
    private(set) var messages: [POP3Message]

    init(mailbox: Mailbox, messages: [POP3Message]) {
        self.mailbox = mailbox
        self.messages = messages
    }

    enum Lookup: Equatable {
        case found(Int)
        case noSuchMessage
        case deleted
    }

    /// The array index of a 1-based message number.
    func lookup(_ number: Int) -> Lookup {
        guard number >= 1, number <= messages.count else { return .noSuchMessage }
        return messages[number - 1].deleted ? .deleted : .found(number - 1)
    }

    /// Messages and octets not marked deleted (STAT, and the numbers LIST/UIDL give).
    var statistics: (count: Int, octets: Int64) {
        messages.reduce(into: (0, Int64(0))) { total, message in
            if !message.deleted {
                total.0 += 1
                total.1 += message.size
            }
        }
    }

    var deletedCount: Int { messages.count { $0.deleted } }
    var totalOctets: Int64 { messages.reduce(0) { $0 + $1.size } }

    mutating func markDeleted(_ index: Int) { messages[index].deleted = true }
    mutating func markRetrieved(_ index: Int) { messages[index].retrieved = true }

    /// RSET: nothing deleted or retrieved any more.
    mutating func reset() {
        for index in messages.indices {
            messages[index].deleted = false
            messages[index].retrieved = false
        }
    }

    var deletedUIDs: UIDSet { UIDSet(messages.filter(\.deleted).map(\.record.uid)) }
    var retrievedUIDs: UIDSet { UIDSet(messages.filter { $0.retrieved && !$0.deleted && !$0.record.flags.contains(.seen) }.map(\.record.uid)) }
}

extension POP3Maildrop {
    /// Reads INBOX from the index only (no store request) unless the UIDL needs headers
    /// (`%m`, `pop3_reuse_xuidl`), which are then read once per session.
    static func load(user: MailUser, configuration: POP3Configuration) async throws -> POP3Maildrop {
        let inbox = try await user.mailbox("INBOX")
        var records = try await user.messageListing(in: inbox)
        if !configuration.deletedFlag.isEmpty {
            let hidden = try await user.messageStates(in: inbox).filter { state in
                state.keywords.contains { $0.caseInsensitiveCompare(configuration.deletedFlag) == .orderedSame }
            }
            let hiddenUIDs = Set(hidden.map(\.uid))
            records.removeAll { hiddenUIDs.contains($0.uid) }
        }
        var headers: [UInt32: [UInt8]] = [:]
        if configuration.uidlFormat.needsHeader || configuration.reuseXUIDL {
            headers = try await readHeaders(of: records, user: user, prefetch: configuration.prefetchCount)
        }
        let messages = records.map { record in
            let header = headers[record.uid]
            let uidl =
                (configuration.reuseXUIDL ? header.flatMap { POP3MessageWriter.xUIDL(in: $0[...]) } : nil)
                ?? configuration.uidlFormat.uidl(of: record, uidValidity: inbox.uidValidity, header: header)
            return POP3Message(record: record, size: record.virtualSize, uidl: uidl)
        }
        return POP3Maildrop(mailbox: inbox, messages: messages)
    }

    /// The header of every message, `prefetch` GETs in flight, a bounded batch in memory at a time.
    private static func readHeaders(
        of records: [MessageSummary], user: MailUser,
        prefetch: Int
    ) async throws -> [UInt32: [UInt8]] {
        var headers: [UInt32: [UInt8]] = [:]
        let batchSize = max(prefetch * 4, 32)
        for start in stride(from: 0, to: records.count, by: batchSize) {
            let batch = Array(records[start..<min(start + batchSize, records.count)])
            for try await (_, record, bytes) in user.bodies(of: batch, prefetch: prefetch) {
                // A copy, so the batch's bodies are freed.
                headers[record.uid] = Array(POP3MessageWriter.header(of: bytes))
            }
        }
        return headers
    }
}
