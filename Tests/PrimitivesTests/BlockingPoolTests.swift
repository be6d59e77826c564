import Foundation
import NIOPosix
import Primitives
import Synchronization
import Testing

@Suite struct BlockingPoolTests {
    struct Failure: Error, Equatable {}

    /// A value shared between the test and the pool's threads.
    final class Shared: Sendable {
        private let state = Mutex((value: 0, highest: 0))
        var value: Int { state.withLock { $0.value } }
        var highest: Int { state.withLock { $0.highest } }

        func add(_ amount: Int) {
            state.withLock { state in
                state.value += amount
                state.highest = max(state.highest, state.value)
            }
        }
    }

    @Test func returnsResultsAndErrors() async throws {
        let pool = BlockingPool(threads: 1)
        #expect(try await pool.run { 6 * 7 } == 42)
        await #expect(throws: Failure()) { try await pool.run { () throws -> Int in throw Failure() } }
        try await pool.shutdown()
    }

    /// The thread count is the bound: a burst of slow calls queues instead of spawning threads.
    @Test func runsAtMostItsThreadCountAtOnce() async throws {
        let pool = BlockingPool(threads: 3)
        let running = Shared()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.run {
                        running.add(1)
                        usleep(20_000)
                        running.add(-1)
                    }
                }
            }
            try await group.waitForAll()
        }
        // Never more than three; more than one shows they do run side by side (three, unless the machine is busy).
        #expect((2...3).contains(running.highest))
        try await pool.shutdown()
    }

    /// Jobs that clean up must run even when nobody waits for them any more.
    @Test func aQueuedJobRunsAfterItsTaskWasCancelled() async throws {
        let pool = BlockingPool(threads: 1)
        let ran = Shared()
        let gate = Shared()
        let blocker = Task { try await pool.run { while gate.value == 0 { usleep(1_000) } } }
        try await Task.sleep(for: .milliseconds(20))
        let waiter = Task { try await pool.run { ran.add(1) } }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        gate.add(1)
        try await blocker.value
        _ = try? await waiter.value
        try await pool.run {} // the single thread has run everything queued before this
        #expect(ran.value == 1)
        try await pool.shutdown()
    }

    @Test func refusesWorkAfterShutdown() async throws {
        let pool = BlockingPool(threads: 2)
        try await pool.shutdown()
        await #expect(throws: NIOThreadPoolError.ThreadPoolInactive.self) { try await pool.run { 1 } }
    }

    /// Password hashing has its own threads: with every file I/O thread taken, a verify still runs.
    @Test func authWorkDoesNotWaitForFileIO() async throws {
        #expect(BlockingPool.fileIO !== BlockingPool.auth)
        let released = Shared()
        let busy = Shared()
        var holders: [Task<Void, any Error>] = []
        for _ in 0..<4 {
            holders.append(
                Task {
                    try await BlockingPool.fileIO.run {
                        busy.add(1)
                        let deadline = ContinuousClock.now + .seconds(10)
                        while released.value == 0 && ContinuousClock.now < deadline { usleep(1_000) }
                    }
                })
        }
        while busy.value < 4 { try await Task.sleep(for: .milliseconds(1)) }
        let ranWhileFileIOWasFull = try await BlockingPool.auth.run { released.value == 0 }
        released.add(1)
        for holder in holders { try await holder.value }
        #expect(ranWhileFileIOWasFull)
    }
}
