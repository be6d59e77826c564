import Foundation
import MetaCache
import MIME

extension MailUser {
    /// The UIDs of the messages in `mailbox` that match, in UID order. The index decides what it
    /// can; only messages it cannot decide are fetched (through the fscache, `prefetch` at a time).
    public func search(_ query: SearchQuery, in mailbox: MailboxRecord, prefetch: Int? = nil,
                       now: Date = Date(), timeZone: TimeZone = .current) async throws -> [UInt32] {
        let readsMessage = query.readsMessage
        // Flags, sizes and dates are columns: the cached MIME fields (most of a row's bytes) are read only when needed.
        let rows = try await readsMessage ? messages(.all, in: mailbox) : messageListing(in: mailbox)
        let names = try await mapErrors { try await index.keywordNames(in: mailbox.id!) }
        let evaluator = SearchEvaluator(query: query, keywordNames: names, now: now, timeZone: timeZone)
        var matches: [UInt32] = [], undecided: [MessageRecord] = []
        for row in rows {
            let headers = readsMessage ? (try? CachedMessageFields.headers(serialized: Array(row.cachedFields))) : nil
            switch evaluator.evaluate(row, cachedHeaders: headers, body: nil) {
            case true?: matches.append(row.uid)
            case false?: break
            case nil: undecided.append(row)
            }
        }
        for try await (row, body) in bodies(of: undecided, prefetch: prefetch ?? configuration.prefetchCount) {
            if evaluator.evaluate(row, cachedHeaders: nil, body: body) == true { matches.append(row.uid) }
        }
        return matches.sorted()
    }
}
