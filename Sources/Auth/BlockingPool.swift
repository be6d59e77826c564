import Foundation

/// Dedicated threads for work that blocks: crypt and Argon2 (4–100 ms each), file reads and SQLite queries.
/// Running them here keeps both NIO event loops and Swift's cooperative pool free.
public final class BlockingPool: @unchecked Sendable {
    /// One pool per process, one thread per core (at least two, so a slow query does not stall every login).
    public static let shared = BlockingPool(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    // `jobs` is only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0

    public init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "objectmail-auth-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a pool thread and returns its result to the caller.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Result { try body() }) }
        }
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: body()) }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
