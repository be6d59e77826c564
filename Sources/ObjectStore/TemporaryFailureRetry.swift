import S3Client

/// Tries an operation again after a temporary `ObjectStoreError`, with doubling delays: for the few requests whose
/// failure would fail a whole larger step — the start-up check, each LIST and GET of loading a user's index —
/// where a client would otherwise see one failed request out of twenty as a failed login. The S3 client's own
/// retries (5xx, timeouts) happen below this; wrappers such as `randomfail` fail above them. No retry starts after
/// the client operation's deadline (`OperationDeadline`): the client gets its temporary answer instead.
public enum TemporaryFailureRetry {
    public static func run<T: Sendable>(
        attempts: Int = 3, firstDelay: Duration = .milliseconds(200),
        onRetry: (ObjectStoreError, Duration) -> Void = { _, _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        var delay = firstDelay
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as ObjectStoreError
                where error.isTemporary && attempt < attempts && OperationDeadline.allowsRetry(after: delay)
            {
                onRetry(error, delay)
                try await Task.sleep(for: delay)
                delay *= 2
                attempt += 1
            }
        }
    }
}
