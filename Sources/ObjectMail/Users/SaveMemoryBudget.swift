import Synchronization

/// Bytes of message bodies that saves in flight hold in memory, for the whole process (`mail_save_memory_limit`).
/// Bodies above the spool threshold live in `mail_temp_dir` and cost nothing here; what is counted are the small
/// ones kept in memory, and CATENATE/BINARY messages, which are joined in memory. A save that would pass the
/// limit is refused with a temporary error (IMAP `NO [UNAVAILABLE]`, LMTP `451 4.3.0`): the client retries later
/// instead of the process growing.
public final class SaveMemoryBudget: Sendable {
    /// The process's budget: set once at start-up from the configuration.
    public static let shared = SaveMemoryBudget(limit: 256 << 20)

    private let limitBytes: Atomic<Int64>
    private let used = Atomic<Int64>(0)

    public init(limit: Int64) {
        limitBytes = Atomic(limit)
    }

    /// 0 means no limit.
    public var limit: Int64 {
        get { limitBytes.load(ordering: .relaxed) }
        set { limitBytes.store(newValue, ordering: .relaxed) }
    }

    /// Bytes reserved now.
    public var inUse: Int64 { used.load(ordering: .relaxed) }

    /// Takes `bytes` from the budget and returns what was taken (give exactly that to `release`); nil when they do
    /// not fit. A single save larger than the whole budget is let through when nothing else is in flight, so a
    /// limit below the largest message size cannot refuse that message forever.
    public func reserve(_ bytes: Int64) -> Int64? {
        let limit = self.limit
        guard limit > 0, bytes > 0 else { return 0 }
        var current = used.load(ordering: .relaxed)
        while true {
            guard current == 0 || current + bytes <= limit else { return nil }
            let (exchanged, original) = used.compareExchange(expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return bytes }
            current = original
        }
    }

    public func release(_ taken: Int64) {
        if taken > 0 { used.subtract(taken, ordering: .relaxed) }
    }
}
