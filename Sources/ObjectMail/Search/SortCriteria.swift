import Foundation
import MetaCache
import MIME

/// RFC 5256 SORT criteria, with RFC 5957's DISPLAYFROM and DISPLAYTO.
public struct SortCriterion: Sendable, Equatable {
    public enum Key: Sendable, Equatable { case arrival, cc, date, from, size, subject, to, displayFrom, displayTo }

    public var key: Key
    public var reverse: Bool

    public init(_ key: Key, reverse: Bool = false) {
        self.key = key
        self.reverse = reverse
    }
}

/// The values SORT and THREAD compare, taken from the index row and its cached fields.
/// A class, not a struct: sorting moves these around, and moving a reference beats retaining a dozen strings.
final class SortableMessage {
    let uid: UInt32
    let arrival: Int64
    let size: Int64
    /// The Date: header as seconds, or INTERNALDATE when there is none (RFC 5256).
    let sentDate: Int64
    let baseSubject: String
    let isReplyOrForward: Bool
    let from: String, to: String, cc: String
    let displayFrom: String, displayTo: String
    let messageID: String?
    let references: [String]

    init(row: MessageRecord, cached: CachedMessageFields?) {
        uid = row.uid
        arrival = row.internalDate
        size = row.virtualSize
        let envelope = cached?.envelope ?? Envelope()
        sentDate = envelope.date.flatMap(RFC5322Date.parse)?.timestamp ?? row.internalDate
        let subject = (envelope.subject ?? cached?.header("subject")).map { EncodedWords.decode($0) } ?? ""
        (baseSubject, isReplyOrForward) = BaseSubject.extract(subject)
        from = Self.mailbox(envelope.from)
        to = Self.mailbox(envelope.to)
        cc = Self.mailbox(envelope.cc)
        displayFrom = Self.display(envelope.from)
        displayTo = Self.display(envelope.to)
        messageID = Self.messageIDs(envelope.messageID).first
        var references = Self.messageIDs(cached?.header("references"))
        if references.isEmpty { references = Self.messageIDs(envelope.inReplyTo).prefix(1).map { $0 } }
        self.references = references
    }

    /// The local part of the first address, folded (RFC 5256: "addr-mailbox").
    static func mailbox(_ addresses: [Address]?) -> String {
        guard let first = addresses?.first(where: { !$0.isGroupStart && !$0.isGroupEnd }),
              let mailbox = first.mailbox else { return "" }
        return UnicodeCasemap.fold(String(decoding: mailbox, as: UTF8.self))
    }

    /// RFC 5957: the display name, else the address.
    static func display(_ addresses: [Address]?) -> String {
        guard let first = addresses?.first(where: { !$0.isGroupStart && !$0.isGroupEnd }) else { return "" }
        if let name = first.decodedName, !name.isEmpty { return UnicodeCasemap.fold(name) }
        return UnicodeCasemap.fold(first.address ?? "")
    }

    /// `<id>` tokens of a Message-ID, In-Reply-To or References field.
    static func messageIDs(_ value: [UInt8]?) -> [String] {
        guard let value else { return [] }
        let text = String(decoding: value, as: UTF8.self)
        var ids: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    func compare(_ other: SortableMessage, by key: SortCriterion.Key) -> ComparisonResult {
        func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult { a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame }
        switch key {
        case .arrival: return order(arrival, other.arrival)
        case .size: return order(size, other.size)
        case .date: return order(sentDate, other.sentDate)
        case .subject: return order(baseSubject, other.baseSubject)
        case .from: return order(from, other.from)
        case .to: return order(to, other.to)
        case .cc: return order(cc, other.cc)
        case .displayFrom: return order(displayFrom, other.displayFrom)
        case .displayTo: return order(displayTo, other.displayTo)
        }
    }
}

extension MailUser {
    /// SORT: the UIDs of `uids` in the order the criteria give; ties fall back to UID order (the
    /// RFC's sequence order). Everything comes from the index: no GET.
    public func sort(_ uids: [UInt32], in mailbox: MailboxRecord, by criteria: [SortCriterion]) async throws -> [UInt32] {
        let messages = try await sortable(uids, in: mailbox)
        return messages.sorted { a, b in
            for criterion in criteria {
                let result = a.compare(b, by: criterion.key)
                if result != .orderedSame { return criterion.reverse ? result == .orderedDescending : result == .orderedAscending }
            }
            return a.uid < b.uid
        }.map(\.uid)
    }

    /// Sort keys come from the cached fields of each row; decoding them dominates SORT, so they are kept
    /// for one mailbox (a client re-sorting its view asks again and again) and only new messages are decoded.
    func sortable(_ uids: [UInt32], in mailbox: MailboxRecord) async throws -> [SortableMessage] {
        var cache = sortKeys?.mailboxGUID == mailbox.guid ? sortKeys! : SortKeyCache(mailboxGUID: mailbox.guid)
        let missing = uids.filter { cache.messages[$0] == nil }
        if !missing.isEmpty {
            for row in try await messages(UIDSet(missing), in: mailbox) {
                cache.messages[row.uid] = SortableMessage(row: row, cached: try? CachedMessageFields(serialized: Array(row.cachedFields)))
            }
        }
        sortKeys = cache
        return uids.compactMap { cache.messages[$0] }
    }
}

/// The sort keys of one mailbox's messages, by UID.
struct SortKeyCache {
    var mailboxGUID: String
    var messages: [UInt32: SortableMessage] = [:]
}
