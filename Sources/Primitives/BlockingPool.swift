import NIOCore
import NIOPosix

/// A bounded set of dedicated threads for work that blocks: file-system calls (open, read, fsync, rename …),
/// crypt and Argon2 (4–100 ms a verify), SQLite, SQL and LDAP client calls. Awaiting callers are suspended, not
/// blocked, so neither NIO's event loops nor Swift's cooperative pool (one thread per core: two here) ever wait on
/// a disk or a hash; and the thread count bounds how many such calls run at once, where GCD's global queues
/// would grow to 64 threads under a burst of slow disk calls.
///
/// The process keeps separate instances so that one kind of work cannot starve another: `fileIO` and `auth`
/// below, and the fscache's writers.
public final class BlockingPool: Sendable {
    /// File I/O for every store, cache and spool in the process: four calls at once.
    public static let fileIO = BlockingPool(threads: 4)

    /// Password hashing and the user databases: one thread per core, at least two so that one slow query does not
    /// stall every login. Apart from `fileIO`, so a burst of logins never delays mail reads and writes.
    public static let auth = BlockingPool(threads: max(2, System.coreCount))

    private let pool: NIOThreadPool

    public init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    deinit {
        // Threads keep the NIO pool alive until they have stopped.
        pool.shutdownGracefully { _ in }
    }

    /// Runs `body` on one of the pool's threads and returns its result (or error) to the awaiting task.
    ///
    /// Every job that is queued runs, even when the awaiting task is cancelled meanwhile: some jobs clean up
    /// (temporary files, fscache entries of deleted objects) or finish what a caller already reported, which
    /// NIO's cancellable `runIfActive` would drop. The job's captures are released as soon as it has run.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pool.submit { state in
                guard case .active = state else {
                    continuation.resume(throwing: NIOThreadPoolError.ThreadPoolInactive())
                    return
                }
                continuation.resume(with: Result(catching: body))
            }
        }
    }

    /// Stops the threads (for pools made for a while; the shared ones live as long as the process): running jobs
    /// finish, queued ones fail with `NIOThreadPoolError.ThreadPoolInactive`, as do later `run` calls.
    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
