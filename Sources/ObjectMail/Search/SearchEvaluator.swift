import Foundation
import MIME
import MetaCache
import Primitives

#if canImport(Glibc)
    import Glibc
#endif

/// Evaluates a `SearchQuery` against one message. The first pass uses only the index row and its
/// cached fields; where that cannot decide (BODY, TEXT, a header the index does not cache) the
/// answer is `nil` and the caller fetches the body for a second pass.
struct SearchEvaluator {
    let query: SearchQuery
    let keywordNames: [Int: String]
    let now: Date
    let timeZone: TimeZone

    /// Three-valued: true, false, or nil when the body is needed.
    func evaluate(_ row: MessageRecord, cachedHeaders: [(name: String, value: [UInt8])]?, body: [UInt8]?) -> Bool? {
        evaluate(query, row, MessageView(row: row, cachedHeaders: cachedHeaders, body: body))
    }

    /// Evaluates a query made `foldedForHeaderCache` against the folded values in `cache`, which must
    /// know every field the query reads for this row (`HeaderSearchCache.knows`).
    func evaluate(_ row: MessageRecord, foldedHeaders cache: HeaderSearchCache) -> Bool? {
        evaluate(query, row, MessageView(row: row, foldedHeaders: cache))
    }

    private func evaluate(_ query: SearchQuery, _ row: MessageRecord, _ view: MessageView) -> Bool? {
        switch query {
        case .all: return true
        case .uids(let set): return set.contains(row.uid)
        case .flags(let flags, let set):
            return set ? row.systemFlags.isSuperset(of: flags) : row.systemFlags.isDisjoint(with: flags)
        case .keyword(let keyword, let set):
            let has = keywordNames.contains { position, name in
                name.caseInsensitiveCompare(keyword) == .orderedSame && row.keywords & (Int64(1) << position) != 0
            }
            return has == set
        case .larger(let size): return row.virtualSize > size
        case .smaller(let size): return row.virtualSize < size
        case .internalDate(let comparison): return comparison.matches(day(row.internalDate))
        case .saveDate(let comparison): return comparison.matches(day(row.saveDate))
        case .sentDate(let comparison):
            guard view.canReadHeaders("date") else { return nil }
            // A missing or unreadable Date: is 1970-01-01, as Dovecot compares it (SENTBEFORE finds such mail).
            let parsed = view.header("date").flatMap(RFC5322Date.parse) ?? RFC5322Date(timestamp: 0, offsetMinutes: 0)
            return comparison.matches(CivilDate.split(secondsSinceEpoch: parsed.timestamp + Int64(parsed.offsetMinutes) * 60).date)
        case .older(let seconds): return Int64(now.timeIntervalSince1970) - row.internalDate >= seconds
        case .younger(let seconds): return Int64(now.timeIntervalSince1970) - row.internalDate <= seconds
        case .modSeqAtLeast(let modSeq): return row.modSeq >= modSeq
        case .header(let name, let text):
            if let folded = view.foldedHeaders {
                let values = folded.values(name, uid: row.uid)
                if text.isEmpty { return !values.isEmpty }
                return values.contains { UnicodeCasemap.containsFolded($0, text) }
            }
            let lower = name.lowercased()
            guard view.canReadHeaders(lower) else { return nil }
            let values = view.headers(lower)
            if text.isEmpty { return !values.isEmpty }
            return values.contains { UnicodeCasemap.contains(EncodedWords.decode($0), text) }
        case .address(let field, let text):
            if let folded = view.foldedHeaders {
                let values = folded.values(SearchQuery.addressCacheKey(field), uid: row.uid)
                if text.isEmpty { return !values.isEmpty }
                return values.contains { UnicodeCasemap.containsFolded($0, text) }
            }
            let lower = field.lowercased()
            guard view.canReadHeaders(lower) else { return nil }
            let values = view.headers(lower)
            if text.isEmpty { return !values.isEmpty }
            return values.contains { UnicodeCasemap.contains(SearchQuery.searchableAddresses($0), text) }
        case .subject(let text):
            if let folded = view.foldedHeaders {
                let values = folded.values(SearchQuery.compressedSubjectKey, uid: row.uid)
                if text.isEmpty { return !values.isEmpty }
                return values.contains { UnicodeCasemap.containsFolded($0, text) }
            }
            guard view.canReadHeaders("subject") else { return nil }
            let values = view.headers("subject")
            if text.isEmpty { return !values.isEmpty }
            return values.contains { UnicodeCasemap.contains(SearchQuery.searchableSubject($0), text) }
        case .body(let text):
            guard let search = view.searchText else { return nil }
            return UnicodeCasemap.contains(search.body, text)
        case .text(let text):
            guard let search = view.searchText else { return nil }
            return UnicodeCasemap.contains(search.all, text)
        case .not(let inner):
            return evaluate(inner, row, view).map { !$0 }
        case .or(let left, let right):
            let first = evaluate(left, row, view)
            if first == true { return true }
            let second = evaluate(right, row, view)
            if second == true { return true }
            return first == false && second == false ? false : nil
        case .and(let queries):
            var undecided = false
            for inner in queries {
                switch evaluate(inner, row, view) {
                case false?: return false
                case nil: undecided = true
                case true?: break
                }
            }
            return undecided ? nil : true
        }
    }

    /// SINCE/BEFORE/ON compute one day per row: arithmetic, not a Calendar (which was most of such a search).
    private func day(_ seconds: Int64) -> CivilDate {
        let local = seconds + Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        return CivilDate.split(secondsSinceEpoch: local).date
    }
}

/// What a search can see of a message: cached header fields always, the whole message once fetched.
private struct MessageView {
    let row: MessageRecord
    /// The index's cached header fields (`CachedMessageFields.headers(serialized:)`).
    let cachedHeaders: [(name: String, value: [UInt8])]?
    let body: [UInt8]?
    /// Folded header values, with the query's texts folded likewise (`SearchQuery.foldedForHeaderCache`).
    var foldedHeaders: HeaderSearchCache?

    init(row: MessageRecord, cachedHeaders: [(name: String, value: [UInt8])]?, body: [UInt8]?) {
        self.row = row
        self.cachedHeaders = cachedHeaders
        self.body = body
        if let body {
            parsed = MIMEMessage.parse(body)
        } else {
            parsed = nil
        }
    }

    init(row: MessageRecord, foldedHeaders: HeaderSearchCache) {
        self.init(row: row, cachedHeaders: nil, body: nil)
        self.foldedHeaders = foldedHeaders
    }

    let parsed: MIMEMessage?

    func canReadHeaders(_ name: String) -> Bool {
        parsed != nil || (cachedHeaders != nil && CachedMessageFields.cachedHeaderNames.contains(name))
    }

    func header(_ name: String) -> [UInt8]? { headers(name).first }

    func headers(_ name: String) -> [[UInt8]] {
        if let parsed {
            return parsed.header.all(name).map { $0.searchValue(in: parsed.bytes) }
        }
        guard let cachedHeaders else { return [] }
        return cachedHeaders.filter { $0.name == name }.map(\.value)
    }

    var searchText: SearchText? { parsed?.searchText }
}
