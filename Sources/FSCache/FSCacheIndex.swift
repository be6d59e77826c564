import ObjectStore
import Synchronization

/// The cache's bookkeeping, shared by all tasks: LRU order and sizes, invalidation generations,
/// fills in flight (for coalescing) and the figures. One mutex, held only for short steps;
/// the few file operations that must be atomic with the bookkeeping (the rename that installs an
/// entry, the unlinks of evicted and invalidated entries) run under it on an I/O thread.
final class FSCacheIndex: Sendable {
    /// A miss being served: `fetch` gets the object from the parent (what callers await),
    /// `completion` then writes the entry and unregisters the fill.
    struct Fill {
        let id: UInt64
        let fetch: Task<StoredObject, any Error>
        let completion: Task<Void, Never>
    }

    private struct State {
        var lru = LRUList()
        /// Bumped by every invalidation of a name (hashed into buckets: a shared bucket only
        /// costs a skipped install). A fill installs only if its bucket did not change meanwhile.
        var generations = [UInt64](repeating: 0, count: 4096)
        var fills: [String: Fill] = [:]
        var nextFillID: UInt64 = 0
        var statistics = FSCacheStatistics()
    }

    let maxSize: Int64
    private let state = Mutex(State())
    private let hits = Atomic<Int>(0)

    init(maxSize: Int64) {
        self.maxSize = maxSize
    }

    private static func bucket(_ name: String) -> Int {
        Int(UInt16(name.prefix(3), radix: 16) ?? 0) & 4095
    }

    var statistics: FSCacheStatistics {
        state.withLock { state in
            var figures = state.statistics
            figures.hits = hits.load(ordering: .relaxed)
            figures.currentSize = state.lru.totalSize
            figures.entries = state.lru.count
            return figures
        }
    }

    var namesOldestFirst: [String] { state.withLock { $0.lru.namesOldestFirst } }

    /// Counts a hit and moves the entry to the LRU's recent end — unless an install or invalidation
    /// holds the lock (it may be renaming on a slow disk): a hit never waits for that, and the entry
    /// then keeps its place (LRU order is approximate under contention, as atime-based caches are).
    func recordHit(_ name: String) {
        hits.add(1, ordering: .relaxed)
        // An entry unknown here (evicted while it was being read, or written by another process)
        // is not added: its file may already be gone. Start-up accounts what is on disk.
        _ = state.withLockIfAvailable { $0.lru.touch(name) }
    }

    func recordMiss() {
        state.withLock { $0.statistics.misses += 1 }
    }

    func recordParentFetch(bytes: Int) {
        state.withLock {
            $0.statistics.parentFetches += 1
            $0.statistics.bytesFromParent += Int64(bytes)
        }
    }

    func recordSkippedWrite() {
        state.withLock { $0.statistics.skippedWrites += 1 }
    }

    func recordStoreFailure() {
        state.withLock { $0.statistics.storeFailures += 1 }
    }

    /// Joins the fill in flight for `name`, or starts one with `start(generation, id)`.
    /// Returns the task that fetches the object.
    func fill(_ name: String, start: (UInt64, UInt64) -> (Task<StoredObject, any Error>, Task<Void, Never>))
        -> Task<StoredObject, any Error>
    {
        state.withLock { state in
            if let fill = state.fills[name] { return fill.fetch }
            state.nextFillID += 1
            let (fetch, completion) = start(state.generations[Self.bucket(name)], state.nextFillID)
            state.fills[name] = Fill(id: state.nextFillID, fetch: fetch, completion: completion)
            return fetch
        }
    }

    /// The fills whose entries are still being written.
    var pendingCompletions: [Task<Void, Never>] {
        state.withLock { $0.fills.values.map(\.completion) }
    }

    func finishFill(_ name: String, id: UInt64) {
        state.withLock { state in
            if state.fills[name]?.id == id { state.fills[name] = nil }
        }
    }

    /// The generation to pass to `install` for a write-through that starts now.
    func generation(_ name: String) -> UInt64 {
        state.withLock { $0.generations[Self.bucket(name)] }
    }

    /// Forgets `name`: later gets miss, fills in flight will not install, and `removeFile` deletes
    /// the entry's file under the lock so that no install can slip in between.
    func invalidate(_ name: String, removeFile: () -> Void) -> UInt64 {
        state.withLock { state in
            let bucket = Self.bucket(name)
            state.generations[bucket] &+= 1
            state.fills[name] = nil
            state.lru.remove(name)
            removeFile()
            return state.generations[bucket]
        }
    }

    /// Makes a finished entry visible with `rename` unless `name` was invalidated since
    /// `generation`, then evicts least recently used entries until the total is within `maxSize`.
    /// Returns false if the entry was not installed (the caller deletes its temporary file).
    func install(
        _ name: String, size: Int64, generation: UInt64, rename: () throws -> Void,
        removeFile: (String) -> Void
    ) throws -> Bool {
        try state.withLock { state in
            guard state.generations[Self.bucket(name)] == generation else { return false }
            try rename()
            state.lru.insertNewest(name, size: size)
            while state.lru.totalSize > maxSize, let victim = state.lru.popOldest() {
                removeFile(victim.name)
                state.statistics.evictions += 1
            }
            return true
        }
    }

    /// Evicts the least recently used entry (another component needs the disk); returns its size, nil when empty.
    func evictOldest(removeFile: (String) -> Void) -> Int64? {
        state.withLock { state in
            guard let victim = state.lru.popOldest() else { return nil }
            removeFile(victim.name)
            state.statistics.evictions += 1
            return victim.size
        }
    }

    /// Start-up: accounts entries found on disk, oldest first.
    func load(_ entries: [(name: String, size: Int64)], removeFile: (String) -> Void) {
        state.withLock { state in
            for entry in entries { state.lru.insertNewest(entry.name, size: entry.size) }
            while state.lru.totalSize > maxSize, let victim = state.lru.popOldest() {
                removeFile(victim.name)
                state.statistics.evictions += 1
            }
        }
    }
}
