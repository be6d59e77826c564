import Foundation
import ObjectStore
import StoreContract
import Testing

@testable import FSCache

@Suite struct FSCacheBehaviourTests {
    /// A cache over a counting posix parent in a scratch directory.
    struct Fixture {
        let scratch = ScratchDirectory()
        let parent: CountingStore
        let cache: FSCacheStore
        var cacheDirectory: String { scratch.path + "/cache" }

        init(maxSize: Int64 = 1 << 30, getDelay: Duration = .zero) {
            parent = CountingStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false), getDelay: getDelay)
            cache = FSCacheStore(parent: parent, directory: scratch.path + "/cache", maxSize: maxSize)
        }

        func reopened() -> FSCacheStore {
            FSCacheStore(parent: parent, directory: cacheDirectory, maxSize: cache.maxSize)
        }
    }

    @Test func hitsNeedNoParentRequest() async throws {
        let fixture = Fixture()
        let body = bytes(20_000, 1)
        try await fixture.parent.put("m/1", body: .bytes(body), options: PutOptions(metadata: ["guid": "g1"]))
        #expect(try await fixture.cache.get("m/1", range: ByteRange(offset: 5, length: 10)).body == Array(body[5..<15]))
        #expect(fixture.parent.reads == 1)
        await fixture.cache.waitForPendingWrites()
        let object = try await fixture.cache.get("m/1")
        #expect(object.body == body)
        #expect(object.info.metadata == ["guid": "g1"])
        #expect(try await fixture.cache.stat("m/1").size == 20_000)
        #expect(try await fixture.cache.get("m/1", range: ByteRange(offset: 19_990)).body == Array(body[19_990...]))
        #expect(fixture.parent.reads == 1)
        #expect(fixture.parent.count("stat") == 0)
        let figures = fixture.cache.statistics
        #expect(figures.hits == 3 && figures.misses == 1 && figures.parentFetches == 1 && figures.bytesFromParent == 20_000)
        #expect(figures.entries == 1 && figures.currentSize > 20_000)
    }

    @Test func writeThroughServesANewMailFromTheCache() async throws {
        let fixture = Fixture()
        try await fixture.cache.put("m/new", body: .bytes(bytes(5000, 2)), options: PutOptions(metadata: ["size": "5000"]))
        #expect(fixture.parent.count("put") == 1)
        #expect(try await fixture.cache.get("m/new").body == bytes(5000, 2))
        #expect(try await fixture.cache.stat("m/new").metadata == ["size": "5000"])
        #expect(fixture.parent.reads == 0)
    }

    @Test func deleteOverwriteAndCopyInvalidate() async throws {
        let fixture = Fixture()
        try await fixture.cache.put("k", bytes: [1, 2, 3])
        try await fixture.cache.put("k", bytes: [4, 5])
        #expect(try await fixture.cache.get("k").body == [4, 5])
        // A copy onto a cached key replaces what the cache serves.
        try await fixture.cache.put("other", bytes: [9])
        try await fixture.cache.copy(from: "other", to: "k", metadata: .copy)
        #expect(try await fixture.cache.get("k").body == [9])
        try await fixture.cache.delete("k")
        await #expect(throws: ObjectStoreError.notFound(key: "k")) { try await fixture.cache.get("k") }
        try await fixture.cache.put("a", bytes: [1])
        #expect(try await fixture.cache.deleteMany(["a", "other"]) == [])
        await #expect(throws: ObjectStoreError.notFound(key: "a")) { try await fixture.cache.stat("a") }
    }

    @Test func evictsLeastRecentlyUsedFirst() async throws {
        // Measure one entry's size on disk, then allow three and a half of them.
        let probe = Fixture()
        try await probe.cache.put("probe", bytes: bytes(1000, 0))
        let entrySize = probe.cache.statistics.currentSize

        let fixture = Fixture(maxSize: entrySize * 7 / 2)
        for key in ["a", "b", "c"] { try await fixture.cache.put(key, bytes: bytes(1000, 0)) }
        _ = try await fixture.cache.get("a") // a becomes the most recently used
        try await fixture.cache.put("d", bytes: bytes(1000, 0)) // evicts b, the oldest
        #expect(fixture.cache.statistics.evictions == 1)
        #expect(fixture.cache.entryNamesOldestFirst == ["c", "a", "d"].map(fixture.cache.entryName(for:)))
        for key in ["a", "c", "d"] { _ = try await fixture.cache.get(key) }
        #expect(fixture.parent.reads == 0)
        _ = try await fixture.cache.get("b")
        await fixture.cache.waitForPendingWrites()
        #expect(fixture.parent.reads == 1) // b was gone; refilling it evicts c
        #expect(fixture.cache.statistics.evictions == 2)
        #expect(fixture.cache.statistics.currentSize <= fixture.cache.maxSize)
        #expect(entryFileBytes(fixture.cacheDirectory) == fixture.cache.statistics.currentSize)
    }

    @Test func sizeLimitHoldsUnderEightConcurrentWriters() async throws {
        let objectSize = 10_000
        let fixture = Fixture(maxSize: 200_000)
        let overshootBound = fixture.cache.maxSize + 8 * Int64(objectSize + 200)
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<40 {
                            try await fixture.cache.put("w\(writer)/\(index)", bytes: bytes(objectSize, UInt8(writer)))
                            _ = try await fixture.cache.get("w\(writer)/\(index / 2)")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var largest: Int64 = 0
        while !writers.isCancelled {
            largest = max(largest, entryFileBytes(fixture.cacheDirectory))
            if fixture.parent.count("put") == 320 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await writers.value
        await fixture.cache.waitForPendingWrites()
        #expect(largest <= overshootBound, "the disk held \(largest) bytes with a limit of \(fixture.cache.maxSize)")
        let figures = fixture.cache.statistics
        #expect(figures.currentSize <= fixture.cache.maxSize)
        #expect(entryFileBytes(fixture.cacheDirectory) == figures.currentSize)
        #expect(figures.evictions > 250)
    }

    @Test func concurrentMissesShareOneParentFetch() async throws {
        let fixture = Fixture(getDelay: .milliseconds(300))
        let body = bytes(100_000, 3)
        try await fixture.parent.put("big", bytes: body)
        let ranges: [ByteRange?] = (0..<20).map { $0 == 0 ? nil : ByteRange(offset: Int64($0 * 1000), length: 500) }
        let results = try await withThrowingTaskGroup(of: (ByteRange?, [UInt8]).self) { group in
            for range in ranges {
                group.addTask { (range, try await fixture.cache.get("big", range: range).body) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for (range, got) in results {
            let expected = range.map { Array(body[Int($0.offset)..<Int($0.offset + $0.length!)]) } ?? body
            #expect(got == expected)
        }
        #expect(fixture.parent.count("get") == 1)
        #expect(fixture.cache.statistics.parentFetches == 1)
        #expect(fixture.cache.statistics.misses == 20)
        await fixture.cache.waitForPendingWrites()
        _ = try await fixture.cache.get("big")
        #expect(fixture.parent.count("get") == 1)
    }

    @Test func missesBeyondTheWriteBacklogAreServedUncached() async throws {
        let scratch = ScratchDirectory()
        let parent = CountingStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false))
        try await parent.put("big", bytes: bytes(5000, 4))
        let cache = FSCacheStore(parent: parent, directory: scratch.path + "/cache", maxSize: 1 << 30, maxWriteBacklog: 1000)
        #expect(try await cache.get("big").body == bytes(5000, 4))
        await cache.waitForPendingWrites()
        #expect(cache.statistics.skippedWrites == 1)
        #expect(cache.statistics.entries == 0)
        _ = try await cache.get("big")
        #expect(parent.reads == 2)
    }

    @Test func aFillStartedBeforeADeleteIsNotInstalled() async throws {
        let fixture = Fixture(getDelay: .milliseconds(300))
        try await fixture.parent.put("k", bytes: [1, 2, 3])
        let reader = Task { try await fixture.cache.get("k") }
        try await Task.sleep(for: .milliseconds(100))
        try await fixture.cache.delete("k")
        _ = try? await reader.value
        await fixture.cache.waitForPendingWrites()
        await #expect(throws: ObjectStoreError.notFound(key: "k")) { try await fixture.cache.get("k") }
        #expect(fixture.cache.statistics.entries == 0)
    }

    @Test func restartKeepsContentsAndAccounting() async throws {
        let fixture = Fixture()
        for index in 0..<5 { try await fixture.cache.put("m/\(index)", bytes: bytes(3000, UInt8(index))) }
        let before = fixture.cache.statistics
        let restarted = fixture.reopened()
        await restarted.waitUntilReady()
        #expect(restarted.statistics.entries == 5)
        #expect(restarted.statistics.currentSize == before.currentSize)
        for index in 0..<5 { #expect(try await restarted.get("m/\(index)").body == bytes(3000, UInt8(index))) }
        #expect(fixture.parent.reads == 0)
    }

    @Test func anUnwritableCacheServesFromTheParent() async throws {
        // /sys refuses new directories even to root, unlike a chmod'ed folder.
        let scratch = ScratchDirectory()
        let parent = CountingStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false))
        let cache = FSCacheStore(parent: parent, directory: "/sys/objectmail-fscache-test", maxSize: 1 << 20)
        try await cache.put("k", bytes: [1, 2, 3])
        #expect(try await cache.get("k").body == [1, 2, 3])
        await cache.waitForPendingWrites()
        #expect(try await cache.get("k", range: ByteRange(offset: 1)).body == [2, 3])
        await cache.waitForPendingWrites()
        let path = scratch.path + "/out"
        _ = try await cache.download("k", to: path, range: nil)
        await cache.waitForPendingWrites()
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3]))
        #expect(parent.reads == 3)
        #expect(cache.statistics.storeFailures == 4)
    }

    @Test(.enabled(if: canMountTmpfs(), "needs root to mount a small tmpfs"))
    func aFullCacheDiskServesFromTheParent() async throws {
        let scratch = ScratchDirectory()
        let mountPoint = scratch.path + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        #expect(runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint]) == 0)
        defer { _ = runTool("/bin/umount", [mountPoint]) }
        let parent = CountingStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false))
        let cache = FSCacheStore(parent: parent, directory: mountPoint + "/cache", maxSize: 1 << 30)
        let big = bytes(600_000, 9)
        try await cache.put("big", bytes: big)
        #expect(try await cache.get("big").body == big)
        await cache.waitForPendingWrites()
        #expect(cache.statistics.storeFailures == 2)
        // Nothing half-written stays behind on the full disk.
        #expect(entryFileBytes(mountPoint + "/cache") == 0)
        try await cache.put("small", bytes: [7])
        #expect(try await cache.get("small").body == [7])
        #expect(parent.reads == 1)
    }
}

func canMountTmpfs() -> Bool {
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")
}

@discardableResult
func runTool(_ tool: String, _ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
