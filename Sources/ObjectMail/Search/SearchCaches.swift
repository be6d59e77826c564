/// What SORT/THREAD and header SEARCH keep of the last mailbox each read, so that asking again reads only the
/// messages they have not seen (a message never changes under its UID). One per user, in `MailUser`.
struct SearchCaches {
    /// SORT/THREAD keys of the last mailbox sorted.
    var sortKeys: SortKeyCache?
    /// Folded header values of the last mailbox a header SEARCH read (see `HeaderSearchCache`).
    var headerSearch: HeaderSearchCache?

    /// The sort keys kept for `mailbox`, or an empty cache for it.
    func sortKeys(for mailbox: Mailbox) -> SortKeyCache {
        sortKeys.flatMap { $0.mailboxGUID == mailbox.guid ? $0 : nil } ?? SortKeyCache(mailboxGUID: mailbox.guid)
    }

    /// The folded header values kept for `mailbox` (same GUID and UIDVALIDITY), or an empty cache for it.
    func headerSearch(for mailbox: Mailbox) -> HeaderSearchCache {
        headerSearch.flatMap { $0.covers(mailbox) ? $0 : nil } ?? HeaderSearchCache(mailboxGUID: mailbox.guid, uidValidity: mailbox.uidValidity)
    }
}
