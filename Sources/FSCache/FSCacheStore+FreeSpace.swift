import Foundation
import ObjectStore

/// `metacache_min_free_space`: the fscache and the metacache often share a disk, and a metacache that cannot write
/// refuses every save. When the metacache's filesystem has less free space than the reserve, a cache on that
/// filesystem evicts least recently used entries until it has it again (or is empty), and caches nothing new
/// that would take it below. Checked before every entry is written and at most once a second on reads (the
/// metacache also grows from flag changes and expunges, which write no entry).
extension FSCacheStore {
    /// On a writer thread, before an entry of `size` bytes is written: false when it must not be written.
    func makeRoomOnSharedDisk(for size: Int64) -> Bool {
        guard let keepFree, keepFree.sharesFilesystem(with: directory), var free = keepFree.freeBytes() else { return true }
        guard free - size < keepFree.bytes else {
            spaceWarnings.succeeded()
            return true
        }
        let layout = self.layout
        var evicted: Int64 = 0
        var entries = 0
        while free - size < keepFree.bytes,
            let bytes = index.evictOldest(removeFile: { try? FileSystem.removeFile(layout.path(forName: $0)) })
        {
            evicted += bytes
            entries += 1
            free = keepFree.freeBytes() ?? free + bytes
        }
        let enough = free - size >= keepFree.bytes
        if entries > 0 || !enough, let inARow = spaceWarnings.failed() {
            logger.warning(
                "fscache: the metacache's filesystem is short of space; cache entries evicted",
                metadata: [
                    "directory": "\(directory)", "evicted_entries": "\(entries)", "evicted_bytes": "\(evicted)", "free": "\(free)",
                    "metacache_min_free_space": "\(keepFree.bytes)", "caching": "\(enough)", "times_in_a_row": "\(inARow)"
                ])
        }
        return enough
    }

    /// From a read: at most once a second, the same check on a writer thread (the read does not wait for it).
    func checkFreeSpaceNow() {
        guard keepFree != nil else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let last = lastSpaceCheck.load(ordering: .relaxed)
        guard now &- last >= 1_000_000_000,
            lastSpaceCheck.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
        else { return }
        Task.detached { try? await Self.writers.run { _ = self.makeRoomOnSharedDisk(for: 0) } }
    }
}
