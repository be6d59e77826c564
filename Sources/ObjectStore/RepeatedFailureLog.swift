import Synchronization

/// Which of a background task's repeated failures to log: the 1st, 2nd, 4th, 8th … in a row, so a store or a disk
/// that keeps failing writes a few lines an hour rather than one per attempt; the count starts again after a success.
public final class RepeatedFailureLog: Sendable {
    private let failures = Atomic<Int>(0)

    public init() {}

    /// Counts a failure. Returns the number in a row when this one should be logged, nil when it should not.
    public func failed() -> Int? {
        let count = failures.add(1, ordering: .relaxed).newValue
        return Self.isLogged(count) ? count : nil
    }

    /// The rule, for loops that keep their own count (the bundle uploader backs off with it too).
    public static func isLogged(_ failuresInARow: Int) -> Bool {
        failuresInARow > 0 && failuresInARow & (failuresInARow - 1) == 0
    }

    public func succeeded() {
        if failures.load(ordering: .relaxed) != 0 { failures.store(0, ordering: .relaxed) }
    }
}
