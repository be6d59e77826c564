import Foundation
import MetaCache
import MIME

extension MailUser {
    /// The UIDs of the messages in `mailbox` that match, in UID order. The index decides what it
    /// can; only messages it cannot decide are fetched (through the fscache, `prefetch` at a time).
    public func search(_ query: SearchQuery, in mailbox: MailboxRecord, prefetch: Int? = nil,
                       now: Date = Date(), timeZone: TimeZone = .current) async throws -> [UInt32] {
        let names = try await mapErrors { try await index.keywordNames(in: mailbox.id!) }
        let evaluator = SearchEvaluator(query: query, keywordNames: names, now: now, timeZone: timeZone)
        var matches: [UInt32] = [], undecided: [MessageRecord] = []
        if query.readsMessage, let fields = query.cachedHeaderFields {
            (matches, undecided) = try await searchFoldedHeaders(fields, with: evaluator, in: mailbox)
        } else {
            let readsMessage = query.readsMessage
            // Flags, sizes and dates are columns: the cached MIME fields (most of a row's bytes) are read only when needed.
            let rows = try await readsMessage ? messages(.all, in: mailbox) : messageListing(in: mailbox)
            for row in rows {
                let headers = readsMessage ? (try? CachedMessageFields.headers(serialized: Array(row.cachedFields))) : nil
                switch evaluator.evaluate(row, cachedHeaders: headers, body: nil) {
                case true?: matches.append(row.uid)
                case false?: break
                case nil: undecided.append(row)
                }
            }
        }
        for try await (row, body) in bodies(of: undecided, prefetch: prefetch ?? configuration.prefetchCount) {
            if evaluator.evaluate(row, cachedHeaders: nil, body: body) == true { matches.append(row.uid) }
        }
        return matches.sorted()
    }

    /// A search whose message criteria are all on cached header fields, answered from the folded values in
    /// `headerSearch`: the listing columns of every row, and the cached fields only of rows not seen before.
    /// Returns the matches and the rows whose cached fields cannot be read (their bodies decide).
    private func searchFoldedHeaders(_ fields: Set<String>, with evaluator: SearchEvaluator,
                                     in mailbox: MailboxRecord) async throws -> (matches: [UInt32], undecided: [MessageRecord]) {
        let rows = try await messageListing(in: mailbox)
        var cache = headerSearch.flatMap { $0.covers(mailbox) ? $0 : nil }
            ?? HeaderSearchCache(mailboxGUID: mailbox.guid, uidValidity: mailbox.uidValidity)
        let unknown = UIDSet(rows.map(\.uid).filter { !cache.knows(fields, uid: $0) })
        var unreadable: Set<UInt32> = []
        if !unknown.isEmpty {
            for row in try await mapErrors({ try await index.messages(unknown, in: mailbox.id!) }) where !cache.add(fields, of: row) {
                unreadable.insert(row.uid)
            }
        }
        if rows.count <= HeaderSearchCache.maximumMessages {
            cache.keepOnly(rows.map(\.uid))
            headerSearch = cache
        }
        let folded = SearchEvaluator(query: evaluator.query.foldedForHeaderCache, keywordNames: evaluator.keywordNames,
                                     now: evaluator.now, timeZone: evaluator.timeZone)
        var matches: [UInt32] = [], undecided: [MessageRecord] = []
        for row in rows {
            // A row that vanished between the two reads (expunged meanwhile) is neither known nor unreadable.
            guard cache.knows(fields, uid: row.uid) else {
                if unreadable.contains(row.uid) { undecided.append(row) }
                continue
            }
            switch folded.evaluate(row, foldedHeaders: cache) {
            case true?: matches.append(row.uid)
            case false?: break
            case nil: undecided.append(row)
            }
        }
        return (matches, undecided)
    }
}
