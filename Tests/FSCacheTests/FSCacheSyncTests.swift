import Foundation
import ObjectStore
import StoreContract
import Testing

@testable import FSCache

#if canImport(Glibc)
    import Glibc
#endif

/// `mail_fsync` in the fscache: `always` syncs each entry, `optimized` syncs the filesystem after writes and moves
/// the marker on, `never` makes no sync call; the first start in another boot drops what may not be on disk.
@Suite struct FSCacheSyncTests {
    struct Cache {
        let scratch = ScratchDirectory("fscache-sync")
        let parent: CountingStore

        init() {
            parent = CountingStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false))
        }

        var directory: String { scratch.path + "/cache" }

        func store(_ fsync: FsyncPolicy = .optimized, syncInterval: Duration = .seconds(60)) async -> FSCacheStore {
            let store = FSCacheStore(parent: parent, directory: directory, maxSize: 1 << 30, fsync: fsync, syncInterval: syncInterval)
            await store.waitUntilReady()
            return store
        }

        func entryPath(_ store: FSCacheStore, _ key: String) -> String {
            let name = store.entryName(for: key)
            return directory + "/" + name.prefix(2) + "/" + name
        }

        func changeTime(_ path: String) throws -> Date {
            try FileDescriptor.open(path, flags: O_RDONLY).changeTime()
        }

        var marker: FSCacheSyncMarker? { FSCacheSyncMarker.read(in: directory) }
    }

    @Test(arguments: [(FsyncPolicy.always, 2), (.optimized, 0), (.never, 0)])
    func alwaysSyncsEveryEntryWithItsDirectory(policy: FsyncPolicy, synced: Int) async throws {
        let cache = Cache()
        try await cache.parent.put("filled", bytes: bytes(5000, 2))
        let store = await cache.store(policy)
        try await store.put("written", bytes: bytes(3000, 1))
        #expect(try await store.get("filled").body == bytes(5000, 2))
        await store.waitForPendingWrites()
        #expect(store.statistics.entries == 2)
        #expect(store.entrySyncs.load(ordering: .relaxed) == synced)
    }

    @Test func aStartInTheSameBootTrustsEveryEntry() async throws {
        let cache = Cache()
        let first = await cache.store()
        try await first.put("a", bytes: bytes(1000, 1))
        try await first.put("b", bytes: bytes(1000, 2))
        #expect(cache.marker == FSCacheSyncMarker(bootID: FSCacheSyncMarker.thisBoot, syncedBefore: Date(timeIntervalSince1970: 0)))
        let again = await cache.store()
        #expect(again.statistics.entries == 2)
        #expect(try await again.get("b").body == bytes(1000, 2))
        #expect(cache.parent.count("get") == 0)
    }

    @Test func theFirstStartInAnotherBootDropsTheEntriesChangedSinceTheLastSync() async throws {
        let cache = Cache()
        let first = await cache.store()
        try await first.put("old", bytes: bytes(1000, 1))
        let oldChanged = try cache.changeTime(cache.entryPath(first, "old"))
        try await Task.sleep(for: .milliseconds(50))
        try await first.put("new", bytes: bytes(1000, 2))
        #expect(try cache.changeTime(cache.entryPath(first, "new")) > oldChanged.addingTimeInterval(0.04))
        // As if the machine went down after a sync that covered "old" only.
        let synced = oldChanged.addingTimeInterval(0.02)
        try FSCacheSyncMarker(bootID: "another-boot", syncedBefore: synced).write(in: first.layout, sync: false)

        let restarted = await cache.store()
        #expect(restarted.statistics.entries == 1)
        #expect(FileManager.default.fileExists(atPath: cache.entryPath(restarted, "old")))
        #expect(!FileManager.default.fileExists(atPath: cache.entryPath(restarted, "new")))
        #expect(try await restarted.get("old").body == bytes(1000, 1))
        #expect(cache.parent.count("get") == 0)
        #expect(try await restarted.get("new").body == bytes(1000, 2))
        #expect(cache.parent.count("get") == 1)
        // The time is kept (the drops themselves may not be on disk yet); the boot is now this one.
        let marker = try #require(cache.marker)
        #expect(marker.bootID == FSCacheSyncMarker.thisBoot)
        #expect(abs(marker.syncedBefore.timeIntervalSince(synced)) < 0.001)
    }

    @Test func withoutAMarkerNoEntryIsTrusted() async throws {
        let cache = Cache()
        let first = await cache.store()
        try await first.put("a", bytes: bytes(1000, 1))
        try FileSystem.removeFile(FSCacheSyncMarker.path(in: cache.directory))
        let restarted = await cache.store()
        #expect(restarted.statistics.entries == 0)
        #expect(!FileManager.default.fileExists(atPath: cache.entryPath(restarted, "a")))
        #expect(cache.marker?.syncedBefore == Date(timeIntervalSince1970: 0))
    }

    @Test func aTornMarkerCountsAsNone() async throws {
        let cache = Cache()
        let first = await cache.store()
        try await first.put("a", bytes: bytes(1000, 1))
        try Data("boot \(FSCacheSyncMarker.thisBoot ?? "-")\nsyn".utf8).write(to: URL(fileURLWithPath: FSCacheSyncMarker.path(in: cache.directory)))
        let restarted = await cache.store()
        #expect(restarted.statistics.entries == 0)
    }

    @Test func optimizedSyncsAfterWritesUntilTheMarkerCoversThem() async throws {
        let cache = Cache()
        let store = await cache.store(.optimized, syncInterval: .milliseconds(100))
        try await Task.sleep(for: .milliseconds(300))
        #expect(store.filesystemSyncs.load(ordering: .relaxed) == 0, "no entry written, nothing to sync")
        try await store.put("a", bytes: bytes(1000, 1))
        let changed = try cache.changeTime(cache.entryPath(store, "a"))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(15)
        while (cache.marker?.syncedBefore ?? .distantPast) <= changed, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try #require(cache.marker).syncedBefore > changed)
        // Then the rounds stop until something is written again (after at most one more: the marker must pass the
        // time the install was recorded, a little after the entry's inode changed).
        try await Task.sleep(for: .milliseconds(300))
        let syncs = store.filesystemSyncs.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(400))
        #expect(store.filesystemSyncs.load(ordering: .relaxed) == syncs)
    }

    @Test func neverMakesNoSyncCall() async throws {
        let cache = Cache()
        let store = await cache.store(.never, syncInterval: .milliseconds(50))
        try await store.put("a", bytes: bytes(1000, 1))
        try await Task.sleep(for: .milliseconds(400))
        #expect(store.filesystemSyncs.load(ordering: .relaxed) == 0)
        #expect(store.entrySyncs.load(ordering: .relaxed) == 0)
        #expect(cache.marker?.syncedBefore == Date(timeIntervalSince1970: 0))
    }

    @Test func startUpDecisions() {
        let time = Date(timeIntervalSince1970: 1_800_000_000)
        let zero = Date(timeIntervalSince1970: 0)
        #expect(FSCacheSyncMarker.startUp(found: nil, bootID: "b") == .init(dropChangedSince: .distantPast, marker: .init(bootID: "b", syncedBefore: zero)))
        let same = FSCacheSyncMarker(bootID: "b", syncedBefore: time)
        #expect(FSCacheSyncMarker.startUp(found: same, bootID: "b") == .init(dropChangedSince: nil, marker: same))
        #expect(
            FSCacheSyncMarker.startUp(found: FSCacheSyncMarker(bootID: "a", syncedBefore: time), bootID: "b")
                == .init(dropChangedSince: time, marker: .init(bootID: "b", syncedBefore: time)))
        // Without a boot id every start may follow a crash.
        let unknown = FSCacheSyncMarker(bootID: nil, syncedBefore: time)
        #expect(FSCacheSyncMarker.startUp(found: unknown, bootID: nil) == .init(dropChangedSince: time, marker: unknown))
    }
}
