import IMAPProtocol

/// A SEARCH or SORT with RETURN (UPDATE) (RFC 5267 §4.3): the server keeps its result and tells the client
/// how it changes. It lives in `SelectedMailbox`, so selecting another mailbox (or none) ends it.
struct SearchContext: Sendable {
    let tag: String
    let key: SearchKey
    /// UID SEARCH/UID SORT: updates carry UIDs, else sequence numbers.
    let byUID: Bool
    /// SORT criteria (CONTEXT=SORT); nil for SEARCH, whose results stay in mailbox order.
    let sortCriteria: [SortCriterion]?
    /// The result as the client knows it: UIDs, in mailbox order or sort order.
    var results: [UInt32]
    /// RFC 5465 §7: FETCH these of each new message the context adds, before the ADDTO.
    var fetch: [FetchAttribute] = []

    /// At most this many contexts per session; one more gets `NO [NOUPDATE]` (RFC 5267 §4.3.1 asks for at least one).
    static let limit = 10
}

/// One ADDTO or REMOVEFROM pair of RFC 5267 §4.3.2, in UIDs; the session turns UIDs into the numbers it reports.
struct SearchContextChange: Sendable, Equatable {
    var added: Bool
    /// 1-based position in the result; 0 for SEARCH, whose results have no order but mailbox order.
    var position: UInt32
    var uids: [UInt32]

    /// The changes that turn `old` into `new`, to be applied in the order given (§4.3.2).
    ///
    /// SEARCH: one REMOVEFROM and one ADDTO at position 0. SORT: removals from the end backwards, so each
    /// position is still the one the client has, then insertions from the front, each at its final position;
    /// neighbours inserted together share one pair. A message's sort keys never change, so the messages kept
    /// stay in the same relative order; should they not, everything is removed and added again.
    static func between(_ old: [UInt32], _ new: [UInt32], sorted: Bool) -> [SearchContextChange] {
        let oldSet = Set(old)
        let newSet = Set(new)
        guard sorted else {
            let removed = old.filter { !newSet.contains($0) }.sorted()
            let added = new.filter { !oldSet.contains($0) }.sorted()
            return (removed.isEmpty ? [] : [SearchContextChange(added: false, position: 0, uids: removed)])
                + (added.isEmpty ? [] : [SearchContextChange(added: true, position: 0, uids: added)])
        }
        var changes: [SearchContextChange] = []
        var current = old
        for index in old.indices.reversed() where !newSet.contains(old[index]) {
            current.remove(at: index)
            changes.append(SearchContextChange(added: false, position: UInt32(index + 1), uids: [old[index]]))
        }
        guard current == new.filter(oldSet.contains) else {
            return (old.isEmpty ? [] : [SearchContextChange(added: false, position: 1, uids: old)])
                + (new.isEmpty ? [] : [SearchContextChange(added: true, position: 1, uids: new)])
        }
        for (index, uid) in new.enumerated() where !oldSet.contains(uid) {
            if var last = changes.last, last.added, Int(last.position) + last.uids.count == index + 1 {
                last.uids.append(uid)
                changes[changes.count - 1] = last
            } else {
                changes.append(SearchContextChange(added: true, position: UInt32(index + 1), uids: [uid]))
            }
        }
        return changes
    }
}
