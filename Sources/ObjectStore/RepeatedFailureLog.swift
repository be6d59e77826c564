import Synchronization

/// Which of a background task's repeated failures to log: the 1st, 2nd, 4th, 8th … in a row, so a store or a disk
/// that keeps failing writes a few lines an hour rather than one per attempt; the count starts again after a success.
public final class RepeatedFailureLog: Sendable {
    private let failures = Atomic<Int>(0)

    public init() {}

    /// Counts a failure. Returns the number in a row when this one should be logged, nil when it should not.
    public func failed() -> Int? {
        let count = failures.add(1, ordering: .relaxed).newValue
        return count & (count - 1) == 0 ? count : nil
    }

    public func succeeded() {
        if failures.load(ordering: .relaxed) != 0 { failures.store(0, ordering: .relaxed) }
    }
}
