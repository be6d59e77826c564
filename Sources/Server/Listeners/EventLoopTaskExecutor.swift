import ExecutorPreference
import NIOCore

/// Runs a session's task on its connection's event loop (a Swift task executor preference, SE-0417).
///
/// Without it a command crossed threads four or five times: the event loop handed the frame to the
/// cooperative pool, the user's actor ran there, the response went back to the event loop to be written,
/// and every crossing woke a sleeping thread (about 12 context switches per command, a fifth of the
/// process's CPU in the kernel on a machine with the usual Spectre mitigations: docs/performance.md).
/// With the event loop preferred, the session actor, the user actor it calls (default actors follow the
/// task's preference) and the channel writes all run on the loop that read the frame; only real waits
/// (GRDB's writer queue, the blocking I/O pool, libcurl) leave it and come back once.
///
/// Nothing that blocks may run here: file and object I/O already go to `BlockingPool.fileIO`, S3 to the curl
/// worker, index writes to GRDB's writer queue. Index reads run on the caller's thread, as they did on
/// the cooperative pool: short lookups in a local SQLite file that is in the page cache.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Starts a session's task on `eventLoop`, with the executor also in `PreferredExecutor.current` for the
    /// unstructured tasks storage code starts on the session's behalf.
    @discardableResult
    static func startSession(on eventLoop: any EventLoop, _ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let executor = EventLoopTaskExecutor(eventLoop)
        return Task(executorPreference: executor) {
            await PreferredExecutor.$current.withValue(executor) { await body() }
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
