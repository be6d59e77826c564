import CSQLite

/// Process-wide SQLite settings that keep idle users' indexes small (Tests: the `idle` benchmark scenario)
/// and allocations free of a global lock.
enum SQLiteMemory {
    /// Without SQLite's bulk page-cache preallocation, each open connection of a small index holds
    /// ~10 KiB instead of ~95 KiB; a server with thousands of logged-in users keeps several per user.
    /// Evaluated once, before the first index opens (false if SQLite was already initialised).
    /// Memory statistics off: they serialise every allocation of every connection on one mutex (see the shim).
    static let configured: Bool =
        csqlite_disable_page_cache_preallocation() == SQLITE_OK
        && csqlite_disable_memory_statistics() == SQLITE_OK
}
