/// The keywords a session's FLAGS responses have named for its selected mailbox.
///
/// RFC 3501 §7.2.6 and RFC 9051 §7.3.5: a client learns which keywords a mailbox has from FLAGS, so a
/// keyword that one of them has not named yet must be announced before any response that uses it —
/// whoever added it (this session's STORE or APPEND, another session, a delivery). Keywords compare
/// case-insensitively, as the index stores them.
struct AnnouncedKeywords: Sendable {
    /// In the order the client was told: sorted at SELECT, new ones appended as they appear (as Dovecot does).
    private(set) var names: [String]
    private var folded: Set<String>

    init<S: Sequence>(_ keywords: S) where S.Element == String {
        names = []
        folded = []
        for keyword in keywords.sorted() where folded.insert(keyword.lowercased()).inserted { names.append(keyword) }
    }

    /// Adds the keywords not named yet; true when there were any, so a new FLAGS response is due.
    mutating func insert(_ keywords: [String]) -> Bool {
        var grew = false
        for keyword in keywords where folded.insert(keyword.lowercased()).inserted {
            names.append(keyword)
            grew = true
        }
        return grew
    }
}
