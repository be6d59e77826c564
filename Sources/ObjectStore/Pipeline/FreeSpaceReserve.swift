#if canImport(Glibc)
    import Glibc
#endif

/// Free space a local cache must leave on another component's filesystem (`metacache_min_free_space`: the fscache
/// and the metacache often share a disk, and a full metacache refuses every save). Read with `statvfs`, which costs
/// one system call; a path that does not exist yet is measured at its nearest existing parent.
public struct FreeSpaceReserve: Sendable, Equatable {
    /// A directory on the filesystem to keep free space on (the metacache's root).
    public var path: String
    public var bytes: Int64

    public init(path: String, bytes: Int64) {
        self.path = path
        self.bytes = bytes
    }

    /// Free bytes for unprivileged writers (what SQLite and the metacache see), nil if nothing can be measured.
    public func freeBytes() -> Int64? {
        guard let existing = Self.nearestExisting(path) else { return nil }
        var figures = statvfs()
        guard statvfs(existing, &figures) == 0 else { return nil }
        return Int64(figures.f_bavail) * Int64(figures.f_frsize)
    }

    /// Whether `directory` lies on the same filesystem as `path`: only then does freeing space there help.
    public func sharesFilesystem(with directory: String) -> Bool {
        guard let mine = Self.device(of: path), let theirs = Self.device(of: directory) else { return false }
        return mine == theirs
    }

    private static func device(of path: String) -> UInt64? {
        guard let existing = nearestExisting(path) else { return nil }
        var information = stat()
        guard stat(existing, &information) == 0 else { return nil }
        return UInt64(information.st_dev)
    }

    private static func nearestExisting(_ path: String) -> String? {
        var candidate = path.isEmpty ? "/" : path
        while access(candidate, F_OK) != 0 {
            guard let slash = candidate.lastIndex(of: "/") else { return nil }
            candidate = slash == candidate.startIndex ? "/" : String(candidate[..<slash])
        }
        return candidate
    }
}
