import Foundation
import ObjectStore
import StoreContract
import Testing

@testable import FSCache

/// Kills a real `objectmail fs get` process while it fills the cache, then restarts on the same directory.
@Suite struct FSCacheCrashTests {
    /// The objectmail binary built next to this test bundle (.build/debug/objectmail).
    static var objectmailBinary: String {
        let runner = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        let besideRunner = runner.appendingPathComponent("objectmail").path
        if FileManager.default.isExecutableFile(atPath: besideRunner) { return besideRunner }
        // Test bundles may sit one level deeper (…/debug/x.xctest/Contents/MacOS or similar).
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/objectmail").path
    }

    @Test func aKillMidFillLeavesNoCorruptEntry() async throws {
        let binary = Self.objectmailBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build objectmail first (swift build): \(binary)")
        let scratch = ScratchDirectory("fscache-crash")
        let posix = PosixObjectStore(root: scratch.path + "/objects", syncWrites: false)
        let chunk = bytes(64 << 10, 7)
        var body: [UInt8] = []
        body.reserveCapacity(64 << 20)
        for index in 0..<1024 {
            body += chunk
            body[index * chunk.count] = UInt8(truncatingIfNeeded: index)
        }
        try await posix.put("user/big", bytes: body)
        var killedMidFill = false
        var cacheDirectory = ""
        // Catching a 64 MB fill in progress is a race with the scheduler: a loaded machine needs more tries.
        // Every try gets its own cache directory: a try that finished its fill would make every later
        // try a cache hit, with no fill left to catch.
        for attempt in 0..<50 where !killedMidFill {
            cacheDirectory = scratch.path + "/cache-\(attempt)"
            let pipeline = "fscache:1G:\(cacheDirectory):posix:\(scratch.path)/objects"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["fs", "get", pipeline, "user/big"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            while process.isRunning {
                let partial = (try? FileManager.default.contentsOfDirectory(atPath: cacheDirectory + "/tmp")) ?? []
                if !partial.isEmpty {
                    kill(process.processIdentifier, SIGKILL)
                    killedMidFill = true
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            process.waitUntilExit()
        }
        #expect(killedMidFill, "never caught the process with a fill in progress")

        // Restart: whatever the kill left, reading gives the right bytes.
        let parent = CountingStore(parent: posix)
        let restarted = FSCacheStore(parent: parent, directory: cacheDirectory, maxSize: 1 << 30)
        await restarted.waitUntilReady()
        let installedBeforeKill = restarted.statistics.entries
        #expect(installedBeforeKill <= 1)
        #expect(try await restarted.get("user/big").body == body)
        #expect(parent.reads == (installedBeforeKill == 1 ? 0 : 1))
        await restarted.waitForPendingWrites()
        // The leftover temporary file is never accounted or served, and a second restart hits.
        let again = FSCacheStore(parent: parent, directory: cacheDirectory, maxSize: 1 << 30)
        await again.waitUntilReady()
        #expect(again.statistics.entries == 1)
        #expect(again.statistics.currentSize == entryFileBytes(cacheDirectory))
        #expect(try await again.get("user/big", range: ByteRange(offset: 1000, length: 10)).body == Array(body[1000..<1010]))
        #expect(parent.reads <= 1)
    }

    @Test func startUpRemovesTruncatedEntries() async throws {
        let scratch = ScratchDirectory("fscache-trunc")
        let parent = CountingStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false))
        let cache = FSCacheStore(parent: parent, directory: scratch.path + "/cache", maxSize: 1 << 30)
        try await cache.put("k", bytes: bytes(10_000, 1))
        // Simulate a torn file (e.g. after a power loss): cut the entry short.
        let name = cache.entryName(for: "k")
        let path = scratch.path + "/cache/" + name.prefix(2) + "/" + name
        #expect(truncate(path, 5000) == 0)
        let restarted = FSCacheStore(parent: parent, directory: scratch.path + "/cache", maxSize: 1 << 30)
        await restarted.waitUntilReady()
        #expect(restarted.statistics.entries == 0)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try await restarted.get("k").body == bytes(10_000, 1))
        #expect(parent.reads == 1)
        await restarted.waitForPendingWrites()
        let report = try await rescanFSCache(directory: scratch.path + "/cache", maxAge: nil)
        #expect(report.entries == 1 && report.bytes == restarted.statistics.currentSize)
        let expired = try await rescanFSCache(directory: scratch.path + "/cache", maxAge: 0)
        #expect(expired.expired == 1 && expired.entries == 0)
    }
}
