import Foundation
import MIME
import MailModel
import MetaCache

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

/// One message as SORT and THREAD see it: its UID, INTERNALDATE and size from the index row, the rest
/// from its sort keys. A class, not a struct: sorting moves these around, and moving a reference beats
/// retaining a dozen strings.
final class SortableMessage {
    let uid: UInt32
    let arrival: Int64
    let size: Int64
    let keys: SortKeys

    init(uid: UInt32, arrival: Int64, size: Int64, keys: SortKeys) {
        self.uid = uid
        self.arrival = arrival
        self.size = size
        self.keys = keys
    }

    var sentDate: Int64 { keys.sentDate }
    var baseSubject: String { keys.baseSubject }
    var isReplyOrForward: Bool { keys.isReplyOrForward }
    var messageID: String? { keys.messageID }
    var references: [String] { keys.references }

    func compare(_ other: SortableMessage, by key: SortCriterion.Key) -> ComparisonResult {
        func order<T: Comparable>(_ a: T, _ b: T) -> ComparisonResult { a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame }
        // Keys compare by octets (RFC 5051's canonical form; Dovecot's strcmp), not by Swift's
        // canonical-equivalence String order.
        func octets(_ a: String, _ b: String) -> ComparisonResult {
            if a.utf8.lexicographicallyPrecedes(b.utf8) { return .orderedAscending }
            return a.utf8.elementsEqual(b.utf8) ? .orderedSame : .orderedDescending
        }
        switch key {
        case .arrival: return order(arrival, other.arrival)
        case .size: return order(size, other.size)
        case .date: return order(sentDate, other.sentDate)
        case .subject: return octets(baseSubject, other.baseSubject)
        case .from: return octets(keys.from, other.keys.from)
        case .to: return octets(keys.to, other.keys.to)
        case .cc: return octets(keys.cc, other.keys.cc)
        case .displayFrom: return octets(keys.displayFrom, other.keys.displayFrom)
        case .displayTo: return octets(keys.displayTo, other.keys.displayTo)
        }
    }
}

extension MailUser {
    /// SORT: the UIDs of `uids` in the order the criteria give; ties fall back to UID order (the
    /// RFC's sequence order). Everything comes from the index: no GET.
    public func sort(_ uids: [UInt32], in mailbox: Mailbox, by criteria: [SortCriterion]) async throws -> [UInt32] {
        let messages = try await sortable(uids, in: mailbox)
        return messages.sorted { a, b in
            for criterion in criteria {
                let result = a.compare(b, by: criterion.key)
                if result != .orderedSame { return criterion.reverse ? result == .orderedDescending : result == .orderedAscending }
            }
            return a.uid < b.uid
        }.map(\.uid)
    }

    /// Sort keys are stored with each row at delivery; rows stored without them (an older build, a
    /// bundle from another backend) have them computed from their cached fields, and stored for next
    /// time. They are also kept for one mailbox (a client re-sorting its view asks again and again),
    /// so only new messages are read.
    func sortable(_ uids: [UInt32], in mailbox: Mailbox) async throws -> [SortableMessage] {
        var cache = searchCaches.sortKeys(for: mailbox)
        let missing = uids.filter { cache.messages[$0] == nil }
        if !missing.isEmpty {
            let mailboxID = mailbox.id.value
            var computed: [UInt32: Data] = [:]
            for row in try await mapErrors({ try await index.sortRows(UIDSet(missing), in: mailboxID, keyVersion: SortKeys.formatVersion) }) {
                let keys: SortKeys
                if let stored = row.sortKeys.flatMap(SortKeys.init(serialized:)) {
                    keys = stored
                } else {
                    keys = SortKeys(
                        cached: row.cachedFields.flatMap { try? CachedMessageFields(serialized: $0) },
                        internalDate: row.internalDate)
                    computed[row.uid] = Data(keys.serialized())
                }
                cache.messages[row.uid] = SortableMessage(uid: row.uid, arrival: row.internalDate, size: row.virtualSize, keys: keys)
            }
            // Storing is an optimisation: a failure costs the next SORT the same decoding again.
            try? await index.storeSortKeys(computed, in: mailboxID)
        }
        searchCaches.sortKeys = cache
        return uids.compactMap { cache.messages[$0] }
    }
}

/// The sort keys of one mailbox's messages, by UID.
struct SortKeyCache {
    var mailboxGUID: String
    var messages: [UInt32: SortableMessage] = [:]
}
