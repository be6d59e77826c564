import FSCache
import Foundation
import ObjectStore
import StoreContract

/// fscache-bench: the cache's hit latency and throughput, the parent requests a hit costs, and the
/// miss path's overhead over the bare parent (posix). Build in release: bench/fscache-bench.sh.
@main
struct FSCacheBench {
    static let objectSize = 20 * 1024
    static let objectCount = 1000
    static let hitSamples = 50_000
    static let missSamples = 3000

    static func main() async throws {
        let root = NSTemporaryDirectory() + "/fscache-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let posix = PosixObjectStore(root: root + "/objects", syncWrites: false)
        let body = (0..<objectSize).map { UInt8(truncatingIfNeeded: $0 &* 7) }

        // Hits: objects written through the cache, then read at random.
        let counting = CountingStore(parent: posix)
        let cache = FSCacheStore(parent: counting, directory: root + "/cache", maxSize: 1 << 30)
        for index in 0..<objectCount { try await cache.put("hit/\(index)", bytes: body) }
        for index in 0..<objectCount { _ = try await cache.get("hit/\(index)") } // warm-up
        let readsBefore = counting.reads + counting.count("stat")
        var latencies: [UInt64] = []
        latencies.reserveCapacity(hitSamples)
        var generator = SeededRandom(seed: 1)
        let hitStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<hitSamples {
            let key = "hit/\(Int.random(in: 0..<objectCount, using: &generator))"
            let start = DispatchTime.now().uptimeNanoseconds
            let object = try await cache.get(key)
            latencies.append(DispatchTime.now().uptimeNanoseconds - start)
            precondition(object.body.count == objectSize)
        }
        let hitSeconds = Double(DispatchTime.now().uptimeNanoseconds - hitStart) / 1e9
        let parentRequestsOnHits = counting.reads + counting.count("stat") - readsBefore
        latencies.sort()

        // Throughput with 8 gets in flight.
        let concurrentStart = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<(hitSamples / 8) { _ = try await cache.get("hit/\((index * 13 + worker) % objectCount)") }
                }
            }
            try await group.waitForAll()
        }
        let concurrentSeconds = Double(DispatchTime.now().uptimeNanoseconds - concurrentStart) / 1e9

        // Misses: each key read once through an empty cache, against the same keys read from bare posix.
        for index in 0..<missSamples { try await posix.put("miss/\(index)", bytes: body) }
        for index in 0..<missSamples { _ = try await posix.get("miss/\(index)") } // page cache warm for both runs
        let bare = try await meanMicroseconds(missSamples) { index in _ = try await posix.get("miss/\(index)") }
        let missCache = FSCacheStore(parent: posix, directory: root + "/miss-cache", maxSize: 1 << 30)
        await missCache.waitUntilReady()
        let miss = try await meanMicroseconds(missSamples) { index in _ = try await missCache.get("miss/\(index)") }
        precondition(missCache.statistics.misses == missSamples)
        await missCache.waitForPendingWrites()
        let missFigures = missCache.statistics
        // The same misses when each caller also waits for the entry to be on disk.
        let syncCache = FSCacheStore(parent: posix, directory: root + "/sync-cache", maxSize: 1 << 30)
        await syncCache.waitUntilReady()
        let syncMiss = try await meanMicroseconds(missSamples) { index in
            _ = try await syncCache.get("miss/\(index)")
            await syncCache.waitForPendingWrites()
        }

        // The same miss path in front of a parent with 2 ms of simulated network latency (an S3 GET is 5–50 ms).
        let slowParent = CountingStore(parent: posix, getDelay: .milliseconds(2))
        let slowSamples = 300
        let bareSlow = try await meanMicroseconds(slowSamples) { index in _ = try await slowParent.get("miss/\(index)") }
        let slowCache = FSCacheStore(parent: slowParent, directory: root + "/slow-cache", maxSize: 1 << 30)
        await slowCache.waitUntilReady()
        let missSlow = try await meanMicroseconds(slowSamples) { index in _ = try await slowCache.get("miss/\(index)") }

        func percentile(_ p: Double) -> Double { Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) / 1000 }
        func row(_ name: String, _ value: String, _ target: String) -> String {
            name.padding(toLength: 44, withPad: " ", startingAt: 0) + value.padding(toLength: 20, withPad: " ", startingAt: 0) + target
        }
        print("fscache-bench: \(objectSize / 1024) KB objects, posix parent, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print(row("measure", "value", "target"))
        print(row("hit get p50", String(format: "%.1f µs", percentile(0.5)), "≤ 50 µs"))
        print(row("hit get p99", String(format: "%.1f µs", percentile(0.99)), ""))
        print(row("hit gets/s, 1 in flight", String(format: "%.0f", Double(hitSamples) / hitSeconds), ""))
        print(row("hit gets/s, 8 in flight", String(format: "%.0f", Double(hitSamples / 8 * 8) / concurrentSeconds), ""))
        print(row("parent requests during \(hitSamples) hits", "\(parentRequestsOnHits)", "0"))
        print(row("bare posix get (mean)", String(format: "%.1f µs", bare), ""))
        print(row("fscache miss over posix (mean)", String(format: "%.1f µs (%+.0f%%)", miss, (miss / bare - 1) * 100), "≤ +5%"))
        print(row("  entries written / skipped (backlog)", "\(missFigures.entries) / \(missFigures.skippedWrites)", ""))
        print(row("miss + waiting for the entry write (mean)", String(format: "%.1f µs", syncMiss), ""))
        print(row("bare parent with 2 ms latency (mean)", String(format: "%.1f µs", bareSlow), ""))
        print(row("fscache miss over it (mean)", String(format: "%.1f µs (%+.1f%%)", missSlow, (missSlow / bareSlow - 1) * 100), "≤ +5%"))
    }

    /// Mean latency of `count` sequential calls.
    static func meanMicroseconds(_ count: Int, _ body: @Sendable (Int) async throws -> Void) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<count { try await body(index) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(count)
    }
}
