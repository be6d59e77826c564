import Foundation

/// A few dedicated threads for blocking file-system calls (open, read, fsync, rename …).
///
/// Swift concurrency's cooperative pool has one thread per core (two here); a blocked `fsync`
/// there stalls every task of the process. GCD's global queues are not used either: they spawn
/// up to 64 threads when work blocks, so a burst of slow disk calls would turn into a thread explosion.
/// A fixed set of threads bounds both: at most `threadCount` file operations run at once, and
/// callers simply wait (suspended, not blocking) for a free thread.
package final class BlockingIOPool: @unchecked Sendable {
    /// Shared by every posix driver and cache in the process.
    package static let shared = BlockingIOPool(threadCount: 4, name: "objectmail-io")

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var nextJob = 0

    package init(threadCount: Int, name: String) {
        for index in 0..<max(1, threadCount) {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads and returns its result to the awaiting task.
    package func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            enqueue {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func workLoop() {
        while true {
            condition.lock()
            while nextJob == jobs.count {
                condition.wait()
            }
            let job = jobs[nextJob]
            // Release the job's captures (buffers, open files) as soon as it has run, not when the head is dropped.
            jobs[nextJob] = {}
            nextJob += 1
            if nextJob > 256, nextJob * 2 > jobs.count {
                // Drop the consumed head now and then instead of shifting the array on every job.
                jobs.removeFirst(nextJob)
                nextJob = 0
            }
            condition.unlock()
            job()
        }
    }
}
