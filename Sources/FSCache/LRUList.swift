/// Entry names in least-recently-used order with their sizes: O(1) touch, insert, remove and
/// pop-oldest, as a doubly linked list threaded through a dictionary.
///
/// The order is approximate in one way: a hit on an entry placed among the newest half is not moved
/// (see `touch`). Eviction takes the oldest entries, which that never affects.
struct LRUList {
    private struct Node {
        var size: Int64
        var older: String?
        var newer: String?
        /// `placements` when the entry was last placed at the newest end.
        var placedAt: UInt64
    }

    private var nodes: [String: Node] = [:]
    private var oldest: String?
    private var newest: String?
    private(set) var totalSize: Int64 = 0
    /// Counts placements at the newest end: an entry placed `n` placements ago has at most `n` newer entries.
    private var placements: UInt64 = 0

    var count: Int { nodes.count }

    func contains(_ name: String) -> Bool { nodes[name] != nil }

    /// Marks `name` as just used. Returns false if it is not in the list.
    @discardableResult
    mutating func touch(_ name: String) -> Bool {
        guard let node = nodes[name] else { return false }
        // Moving an entry costs five lookups of its string key, once per fscache hit: a FETCH of ten
        // headers showed it in its profile. An entry in the newest half is far from eviction, so it stays.
        if placements &- node.placedAt < UInt64(nodes.count / 2) { return true }
        remove(name)
        insertNewest(name, size: node.size)
        return true
    }

    /// Adds `name` as the most recently used entry (replacing an older size for the same name).
    mutating func insertNewest(_ name: String, size: Int64) {
        remove(name)
        nodes[name] = Node(size: size, older: newest, newer: nil, placedAt: placements)
        placements &+= 1
        if let newest { nodes[newest]!.newer = name } else { oldest = name }
        newest = name
        totalSize += size
    }

    /// Removes `name`; returns its size, or nil if absent.
    @discardableResult
    mutating func remove(_ name: String) -> Int64? {
        guard let node = nodes.removeValue(forKey: name) else { return nil }
        if let older = node.older { nodes[older]!.newer = node.newer } else { oldest = node.newer }
        if let newer = node.newer { nodes[newer]!.older = node.older } else { newest = node.older }
        totalSize -= node.size
        return node.size
    }

    /// Removes and returns the least recently used entry.
    mutating func popOldest() -> (name: String, size: Int64)? {
        guard let name = oldest, let size = remove(name) else { return nil }
        return (name, size)
    }

    /// Names from least to most recently used (for tests and rescans).
    var namesOldestFirst: [String] {
        var result: [String] = []
        var cursor = oldest
        while let name = cursor {
            result.append(name)
            cursor = nodes[name]!.newer
        }
        return result
    }
}
