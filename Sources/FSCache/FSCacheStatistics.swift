/// The cache's figures at one instant, for logs and metrics.
public struct FSCacheStatistics: Sendable, Equatable {
    /// Gets, downloads and stats served from the cache.
    public var hits: Int = 0
    /// Gets and downloads that had to go to the parent (coalesced waiters count too).
    public var misses: Int = 0
    /// Requests sent to the parent to fill the cache (one per coalesced group of misses).
    public var parentFetches: Int = 0
    public var bytesFromParent: Int64 = 0
    public var evictions: Int = 0
    /// Entries that could not be written (full or unwritable disk): served from the parent instead.
    public var storeFailures: Int = 0
    /// Misses served without caching because too many entries were still waiting to be written.
    public var skippedWrites: Int = 0
    /// Bytes of cache files accounted for (data plus the small metadata trailer).
    public var currentSize: Int64 = 0
    public var entries: Int = 0

    public init() {}
}
