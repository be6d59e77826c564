import MIME
import MetaCache

/// The decoded, case-folded values of the header fields SEARCH looked at, for one mailbox's messages.
///
/// A header SEARCH (SUBJECT, FROM, TO …) used to read every row with its cached MIME fields, decode
/// them, decode each value's encoded words and fold it, on every search: a fifth of the IMAP mix's CPU
/// for one command in twenty. A message never changes under its UID within one UIDVALIDITY, so the
/// folded values stay valid; a search of a mailbox already searched reads only the listing columns,
/// plus the cached fields of messages it has not seen yet.
struct HeaderSearchCache: Sendable {
    let mailboxGUID: String
    let uidValidity: UInt32
    /// Field name (lowercase) → UID → the field's folded values; an empty array: the message has no such field.
    private(set) var fields: [String: [UInt32: [String]]] = [:]

    /// Mailboxes larger than this are searched without the cache: it would cost more memory than the
    /// decoding it saves is worth for a user who searches them rarely.
    static let maximumMessages = 20_000

    init(mailboxGUID: String, uidValidity: UInt32) {
        self.mailboxGUID = mailboxGUID
        self.uidValidity = uidValidity
    }

    func covers(_ mailbox: Mailbox) -> Bool {
        mailboxGUID == mailbox.guid && uidValidity == mailbox.uidValidity
    }

    func values(_ name: String, uid: UInt32) -> [String] { fields[name]?[uid] ?? [] }

    func knows(_ names: Set<String>, uid: UInt32) -> Bool {
        names.allSatisfy { fields[$0]?[uid] != nil }
    }

    /// Records `row`'s values of `names`; false when its cached fields cannot be read (the body decides).
    mutating func add(_ names: Set<String>, of row: MessageRecord) -> Bool {
        guard let headers = try? CachedMessageFields.headers(serialized: Array(row.cachedFields)) else { return false }
        for name in names {
            if name == SearchQuery.compressedSubjectKey {
                fields[name, default: [:]][row.uid] = headers.filter { $0.name == "subject" }
                    .map { UnicodeCasemap.fold(SearchQuery.searchableSubject($0.value)) }
            } else if let field = SearchQuery.addressField(ofCacheKey: name) {
                fields[name, default: [:]][row.uid] = headers.filter { $0.name == field }.map { UnicodeCasemap.fold(SearchQuery.searchableAddresses($0.value)) }
            } else {
                fields[name, default: [:]][row.uid] = headers.filter { $0.name == name }.map { UnicodeCasemap.fold(EncodedWords.decode($0.value)) }
            }
        }
        return true
    }

    /// Drops expunged messages once they are a good part of the entries.
    mutating func keepOnly(_ uids: [UInt32]) {
        guard fields.values.contains(where: { $0.count > uids.count + uids.count / 4 + 16 }) else { return }
        let current = Set(uids)
        for name in fields.keys { fields[name] = fields[name]!.filter { current.contains($0.key) } }
    }
}

extension SearchQuery {
    /// The header fields the search reads, when every criterion that reads the message is a header
    /// criterion on a field the index caches (`CachedMessageFields.cachedHeaderNames`); nil when one
    /// reads anything else (the Date: header's day, BODY, TEXT, another field).
    var cachedHeaderFields: Set<String>? {
        switch self {
        case .header(let name, _):
            let lower = name.lowercased()
            return CachedMessageFields.cachedHeaderNames.contains(lower) ? [lower] : nil
        case .address(let field, _):
            let lower = field.lowercased()
            return CachedMessageFields.cachedHeaderNames.contains(lower) ? [Self.addressCacheKey(lower)] : nil
        case .subject: return [Self.compressedSubjectKey]
        case .sentDate, .body, .text: return nil
        case .not(let inner): return inner.cachedHeaderFields
        case .or(let left, let right):
            guard let left = left.cachedHeaderFields, let right = right.cachedHeaderFields else { return nil }
            return left.union(right)
        case .and(let queries):
            var names: Set<String> = []
            for query in queries {
                guard let inner = query.cachedHeaderFields else { return nil }
                names.formUnion(inner)
            }
            return names
        case .all, .uids, .flags, .keyword, .larger, .smaller, .internalDate, .saveDate, .older, .younger, .modSeqAtLeast:
            return []
        }
    }

    /// The query with header field names lowercased and their texts folded, as `HeaderSearchCache` holds them.
    var foldedForHeaderCache: SearchQuery {
        switch self {
        case .header(let name, let text): return .header(name: name.lowercased(), contains: UnicodeCasemap.fold(text))
        case .address(let field, let text): return .address(field: field.lowercased(), contains: UnicodeCasemap.fold(text))
        case .subject(let text): return .subject(UnicodeCasemap.fold(text))
        case .not(let inner): return .not(inner.foldedForHeaderCache)
        case .or(let left, let right): return .or(left.foldedForHeaderCache, right.foldedForHeaderCache)
        case .and(let queries): return .and(queries.map(\.foldedForHeaderCache))
        default: return self
        }
    }
}

extension SearchQuery {
    /// The cache's key for an address field's canonical values (header names cannot contain a colon).
    static func addressCacheKey(_ field: String) -> String { "address:" + field }

    /// The cache's key for the Subject field with blanks compressed (SEARCH SUBJECT).
    static let compressedSubjectKey = "compressed:subject"

    /// What SEARCH SUBJECT compares: runs of blanks made one space, leading ones dropped (Dovecot's
    /// compress_lwsp, before decoding), then encoded-words decoded.
    static func searchableSubject(_ value: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var previousBlank = true
        for b in value {
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A {
                if !previousBlank { out.append(0x20) }
                previousBlank = true
            } else {
                out.append(b)
                previousBlank = false
            }
        }
        return EncodedWords.decode(out)
    }

    static func addressField(ofCacheKey key: String) -> String? {
        key.hasPrefix("address:") ? String(key.dropFirst("address:".count)) : nil
    }

    /// What an address search compares: the list in canonical form, encoded-words decoded.
    static func searchableAddresses(_ value: [UInt8]) -> String {
        EncodedWords.decode(AddressParser.canonicalText(AddressParser.parse(value)))
    }
}
