import Atomics

/// The handles of one family for a closed set of label values (S3 operations × status classes, IMAP command names),
/// each made on its first use and then read with one atomic load: a hot path builds no label list and takes no lock,
/// and a series appears in `/metrics` with its first event rather than as a wall of zeros.
///
/// A key outside the set still gets a correct handle, made by the factory on every call (its registry lock): the set
/// is what the code can produce, so that path is for values the code learns later, not for client text.
public final class MetricTable<Key: Hashable & Sendable, Handle: AnyObject & Sendable>: Sendable {
    private let slots: [Key: ManagedAtomicLazyReference<Handle>]
    private let make: @Sendable (Key) -> Handle

    public init(_ keys: some Sequence<Key>, make: @escaping @Sendable (Key) -> Handle) {
        slots = Dictionary(keys.map { ($0, ManagedAtomicLazyReference<Handle>()) }, uniquingKeysWith: { first, _ in first })
        self.make = make
    }

    public subscript(_ key: Key) -> Handle {
        guard let slot = slots[key] else { return make(key) }
        if let handle = slot.load() { return handle }
        // Two first uses at once both make one; the registry gives both the same series, and one handle is kept.
        return slot.storeIfNilThenLoad(make(key))
    }
}
