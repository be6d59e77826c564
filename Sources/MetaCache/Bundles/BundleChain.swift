/// A mailbox's bundles folded in memory into one base: what the bucket says the folder holds.
/// Used when a local index already exists and must be compared with the bucket (unclean restart,
/// another backend's uploads) rather than overwritten.
struct BundleChain {
    /// The folded state (kind `.base`), nil until a base was applied.
    private(set) var folded: MailboxBundle?
    /// Names applied so far, in order.
    private(set) var applied: [String] = []
    /// True when a diff followed a bundle this chain never saw (a lost upload): folding stopped there.
    private(set) var broken = false

    /// Applies `bundle` (named `name`) if it continues the chain. A diff may follow any bundle
    /// already applied, not only the last one: a backend killed after a PUT but before it
    /// recorded the upload writes its next diff after the same predecessor, and that diff holds
    /// everything since then (a superset), so applying both in name order is correct. Returns
    /// false once the chain is broken.
    @discardableResult
    mutating func apply(_ bundle: MailboxBundle, name: String) -> Bool {
        guard !broken else { return false }
        switch bundle.kind {
        case .base:
            folded = bundle
            applied = [name]
        case .diff:
            guard var state = folded, let previous = bundle.previous, applied.contains(previous) else {
                broken = true
                return false
            }
            var rows = Dictionary(state.messages.map { ($0.uid, $0) }, uniquingKeysWith: { $1 })
            for message in bundle.messages { rows[message.uid] = message }
            for (uid, modSeq) in bundle.expunged {
                rows[uid] = nil
                state.expunged[uid] = modSeq
            }
            state.messages = rows.values.sorted { $0.uid < $1.uid }
            state.keywords.merge(bundle.keywords) { $1 }
            state.uidNext = max(state.uidNext, bundle.uidNext)
            state.highestModSeq = max(state.highestModSeq, bundle.highestModSeq)
            state.uidValidity = bundle.uidValidity
            folded = state
            applied.append(name)
        }
        return true
    }
}
