import Logging
import MetaCache
import ObjectStore
import S3Client
import Synchronization

/// Uploads one user's index bundles in the background (obox's delayed uploads): a loop that checks every
/// `checkInterval` whether an upload is due and ends when nothing is pending. No client waits for it, so it runs
/// without an operation deadline; while the store or the disk keeps failing, the checks back off (up to a minute)
/// and the warning is logged at the 1st, 2nd, 4th, 8th … failure in a row, not once a second per user.
///
/// A class behind a lock rather than MailUser state: every index change asks for an upload, and asking must stay a
/// synchronous check on the user's actor.
final class IndexUploadScheduler: Sendable {
    /// What to do when another backend uploaded this user's index: merge its changes (the next upload then succeeds).
    typealias Revalidate = @Sendable () async throws -> Void

    let bundler: IndexBundler
    private let interval: Duration
    private let logger: Logger
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(bundler: IndexBundler, interval: Duration, logger: Logger) {
        self.bundler = bundler
        self.interval = interval
        self.logger = logger
    }

    /// Starts the loop unless it is running.
    func schedule(revalidate: @escaping Revalidate) {
        loop.withLock { loop in
            guard loop == nil else { return }
            loop = Task { await self.run(revalidate: revalidate) }
        }
    }

    /// Stops the loop (the caller uploads what is pending itself: unload, shutdown).
    func cancel() {
        loop.withLock { loop in
            loop?.cancel()
            loop = nil
        }
    }

    /// The check interval, doubled for every failure in a row, at most a minute.
    static func delay(after failures: Int, interval: Duration) -> Duration {
        guard failures > 0 else { return interval }
        let doubled = interval * (1 << min(failures, 16))
        return min(doubled, max(interval, .seconds(60)))
    }

    private func run(revalidate: @escaping Revalidate) async {
        await OperationDeadline.withoutDeadline {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: Self.delay(after: failures, interval: interval))
                    try await bundler.uploadDue()
                    failures = 0
                } catch is CancellationError {
                    return
                } catch BundleError.anotherWriter {
                    do {
                        try await revalidate()
                        failures = 0
                    } catch {
                        failures += 1
                        logFailure(error, inARow: failures)
                    }
                } catch {
                    failures += 1
                    logFailure(error, inARow: failures)
                }
                if await !bundler.hasPendingChanges { break }
            }
        }
        guard !Task.isCancelled else { return }
        loop.withLock { $0 = nil }
        // A change made after the last check and before the loop let go would otherwise wait for the next change.
        if await bundler.hasPendingChanges { schedule(revalidate: revalidate) }
    }

    private func logFailure(_ error: any Error, inARow failures: Int) {
        guard RepeatedFailureLog.isLogged(failures) else { return }
        logger.warning("index bundle upload failed, will retry: \(error)", metadata: ["failures_in_a_row": "\(failures)"])
    }
}
