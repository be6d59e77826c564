import Foundation
import MIME
import MailModel
import MetaCache

extension MailUser {
    /// The UIDs of the messages in `mailbox` that match, in UID order. The index decides what it
    /// can; only messages it cannot decide are fetched (through the fscache, `prefetch` at a time).
    public func search(
        _ query: SearchQuery, in mailbox: Mailbox, prefetch: Int? = nil,
        now: Date = Date(), timeZone: TimeZone = .current
    ) async throws -> [UInt32] {
        let names = try await mapErrors { try await index.keywordNames(in: mailbox.id.value) }
        let evaluator = SearchEvaluator(query: query, keywordNames: names, now: now, timeZone: timeZone)
        var matches: [UInt32] = []
        var undecided: [MessageRecord] = []
        if let fields = query.cachedHeaderFields {
            // Flags, sizes, dates and cached header fields: the index decides all but unreadable rows.
            let undecidedUIDs: [UInt32]
            (matches, undecidedUIDs) = try await searchListing(fields, with: evaluator, in: mailbox)
            if !undecidedUIDs.isEmpty { undecided = try await records(UIDSet(undecidedUIDs), in: mailbox) }
        } else {
            for row in try await records(.all, in: mailbox) {
                let headers = try? CachedMessageFields.headers(serialized: Array(row.cachedFields))
                switch evaluator.evaluate(row, cachedHeaders: headers, body: nil) {
                case true?: matches.append(row.uid)
                case false?: break
                case nil: undecided.append(row)
                }
            }
        }
        let reading = undecided.map(MessageSummary.init)
        for try await (_, message, body) in bodies(of: reading, prefetch: prefetch ?? configuration.prefetchCount) {
            if evaluator.evaluate(message.record, cachedHeaders: nil, body: body) == true { matches.append(message.uid) }
        }
        return matches.sorted()
    }

    /// A search that reads the message only through cached header fields (`fields`, possibly none), from the
    /// listing columns (without object keys) and the folded values in `searchCaches`, which it fills from
    /// the cached fields of rows not seen before. Returns the matches and the UIDs whose cached fields
    /// cannot be read (their bodies decide).
    private func searchListing(
        _ fields: Set<String>, with evaluator: SearchEvaluator,
        in mailbox: Mailbox
    ) async throws -> (matches: [UInt32], undecided: [UInt32]) {
        let rows = try await mapErrors { try await index.messageListing(in: mailbox.id.value, withKeys: false) }
        guard !fields.isEmpty else {
            return (rows.filter { evaluator.evaluate($0, cachedHeaders: nil, body: nil) == true }.map(\.uid), [])
        }
        var cache = searchCaches.headerSearch(for: mailbox)
        let uids = rows.map(\.uid)
        let unknown = UIDSet(uids.filter { !cache.knows(fields, uid: $0) })
        var unreadable: Set<UInt32> = []
        if !unknown.isEmpty {
            for row in try await records(unknown, in: mailbox) where !cache.add(fields, of: row) {
                unreadable.insert(row.uid)
            }
        }
        if rows.count <= HeaderSearchCache.maximumMessages {
            cache.keepOnly(uids)
            searchCaches.headerSearch = cache
        }
        let folded = SearchEvaluator(
            query: evaluator.query.foldedForHeaderCache, keywordNames: evaluator.keywordNames,
            now: evaluator.now, timeZone: evaluator.timeZone)
        var matches: [UInt32] = []
        var undecided: [UInt32] = []
        for row in rows {
            // A row that vanished between the two reads (expunged meanwhile) is neither known nor unreadable.
            guard cache.knows(fields, uid: row.uid) else {
                if unreadable.contains(row.uid) { undecided.append(row.uid) }
                continue
            }
            switch folded.evaluate(row, foldedHeaders: cache) {
            case true?: matches.append(row.uid)
            case false?: break
            case nil: undecided.append(row.uid)
            }
        }
        return (matches, undecided)
    }
}
