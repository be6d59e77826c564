import Synchronization

/// The time by which the client-visible operation running in this task (an IMAP command, a POP3 command, an LMTP
/// delivery) must be answered: `mail_operation_deadline`.
///
/// It travels as a task-local (`current`), so the one place that waits on the network — `S3Client.execute`, with
/// its per-request timeout and its retries — and the retry loops above it (`TemporaryFailureRetry`) stop at it,
/// whatever layers the request went through. The operation then fails through its ordinary error path (a save
/// records its refused keys, the session answers `NO [UNAVAILABLE]`, `451 4.3.0`, `-ERR [SYS/TEMP]`): nothing is
/// abandoned half-way, which a timer racing the whole command could not promise. Child tasks and `Task { }` inherit
/// it; background work a command starts (uploads, deletes of refused saves) runs `withoutDeadline`.
///
/// The deadline bounds the wait for the store, not the length of a command that keeps getting answers: each
/// `progressed()` (every successful S3 answer) moves it to `budget` from now, so a FETCH of a thousand bodies or the
/// first login of a user with many folders on a slow but working store is not cut off, while a stalled store ends
/// any command within one budget of its last answer.
public final class OperationDeadline: Sendable {
    @TaskLocal public static var current: OperationDeadline?

    public let budget: Duration
    private let clock = ContinuousClock()
    private let expiry: Mutex<ContinuousClock.Instant>

    public init(budget: Duration) {
        self.budget = budget
        expiry = Mutex(ContinuousClock.now + budget)
    }

    /// When the operation must give up, as of now.
    public var expires: ContinuousClock.Instant { expiry.withLock { $0 } }

    public var remaining: Duration { expires - clock.now }

    public var hasExpired: Bool { remaining <= .zero }

    /// The operation moved forward (it delivered something the client waited for): the next step gets a whole budget.
    public func progressed() {
        let next = clock.now + budget
        expiry.withLock { if next > $0 { $0 = next } }
    }

    /// Runs `operation` under a deadline of `budget` from now; nil or zero: none (and none inherited).
    public static func run<T>(
        budget: Duration?, isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> T
    ) async rethrows -> T {
        let deadline = budget.flatMap { $0 > .zero ? OperationDeadline(budget: $0) : nil }
        return try await $current.withValue(deadline, operation: operation, isolation: isolation)
    }

    /// Runs background work that no client waits for (and which must not end with the command that started it).
    public static func withoutDeadline<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> T
    ) async rethrows -> T {
        try await $current.withValue(nil, operation: operation, isolation: isolation)
    }

    /// The earlier of `instant` and the current operation's deadline.
    public static func earliest(_ instant: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
        guard let expires = current?.expires else { return instant }
        guard let instant else { return expires }
        return min(instant, expires)
    }

    /// Whether a retry after `delay` would still start before the current operation's deadline.
    public static func allowsRetry(after delay: Duration) -> Bool {
        guard let current else { return true }
        return current.remaining > delay
    }

    /// Waits for a task other operations share (a user being loaded, a cache fill), but only until the current
    /// deadline: then `expired()` is thrown and the shared work goes on for whoever else waits for it.
    public static func value<T: Sendable, Failure: Error>(
        of task: Task<T, Failure>,
        orAtDeadline expired: @escaping @Sendable () -> any Error
    ) async throws -> T {
        guard let deadline = current else { return try await task.value }
        let waiter = DeadlineWaiter<T>()
        return try await withCheckedThrowingContinuation { continuation in
            waiter.start(continuation)
            let timer = Task.detached {
                try? await Task.sleep(until: deadline.expires, clock: .continuous)
                // A deadline moved on by progress elsewhere is waited for again.
                while !Task.isCancelled, !deadline.hasExpired {
                    try? await Task.sleep(until: deadline.expires, clock: .continuous)
                }
                if !Task.isCancelled { waiter.resume(with: .failure(expired())) }
            }
            Task.detached {
                let result = await task.result
                timer.cancel()
                waiter.resume(with: result.mapError { $0 as any Error })
            }
        }
    }
}

/// Resumes one continuation once, whichever of the task and the timer comes first.
private final class DeadlineWaiter<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
