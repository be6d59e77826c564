import Synchronization

/// HTTP requests sent per operation type, retries included (each one is billed).
/// Thread-safe; read by benchmarks, tests and the server's metrics.
public final class S3Metrics: Sendable {
    private let counts = Mutex<[S3Operation: Int]>([:])

    public init() {}

    public func record(_ operation: S3Operation) {
        counts.withLock { $0[operation, default: 0] += 1 }
    }

    public func count(_ operation: S3Operation) -> Int {
        counts.withLock { $0[operation, default: 0] }
    }

    /// Every operation with its count (zero for those never sent).
    public func snapshot() -> [S3Operation: Int] {
        counts.withLock { counts in
            Dictionary(uniqueKeysWithValues: S3Operation.allCases.map { ($0, counts[$0, default: 0]) })
        }
    }

    public var total: Int { counts.withLock { $0.values.reduce(0, +) } }

    public func reset() {
        counts.withLock { $0.removeAll() }
    }
}
