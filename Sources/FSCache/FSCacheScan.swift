import Foundation
import ObjectStore
import Primitives

#if canImport(Glibc)
    import Glibc
#endif

/// What a scan of a cache directory found and removed.
public struct FSCacheScanReport: Sendable, Equatable {
    /// Valid entries kept, and their bytes.
    public var entries: Int = 0
    public var bytes: Int64 = 0
    /// Entries dropped for being older than MAX_AGE.
    public var expired: Int = 0
    /// Files removed because they were not complete entries (leftovers of a crash mid-fill).
    public var removedInvalid: Int = 0
    /// Entries dropped at the first start after the machine went down: written after the last sync, so their data
    /// may not all have reached the disk (`FSCacheSyncMarker`).
    public var droppedUnsynced: Int = 0
}

/// Walks a cache directory: validates every entry, removes leftovers of crashed fills, and
/// optionally entries not used for `maxAge` seconds. Blocking: run it on an I/O thread.
///
/// "Used" is the file's modification time: fills and write-throughs set it, and start-up orders
/// the LRU by it. Hits do not update it (a syscall per hit, for ordering that only matters after
/// a restart), so after a restart recently *read* entries may be evicted before recently written ones.
enum FSCacheScanner {
    /// Temporary files younger than this may belong to a fill in progress in another process.
    static let temporaryGrace: TimeInterval = 600

    struct Entry {
        var name: String
        var size: Int64
        var modified: Date
    }

    /// - Parameter dropChangedSince: entries whose inode changed at or after this time are removed (see `FSCacheSyncMarker`).
    static func scan(
        layout: FSCacheLayout, maxAge: TimeInterval?, dropChangedSince: Date? = nil,
        now: Date = Date()
    ) throws -> (FSCacheScanReport, [Entry]) {
        var report = FSCacheScanReport()
        var entries: [Entry] = []
        for (name, isDirectory) in try FileSystem.entries(of: layout.directory) where isDirectory {
            if name == "tmp" {
                removeStaleTemporaryFiles(layout.temporaryDirectory, now: now, report: &report)
                continue
            }
            let subdirectory = layout.directory + "/" + name
            for (file, isFileDirectory) in try FileSystem.entries(of: subdirectory) where !isFileDirectory {
                let path = subdirectory + "/" + file
                guard FSCacheLayout.isEntryName(file), file.hasPrefix(name),
                    let (size, modified, changed) = validEntry(at: path)
                else {
                    try? FileSystem.removeFile(path)
                    report.removedInvalid += 1
                    continue
                }
                if let dropChangedSince, changed >= dropChangedSince {
                    try? FileSystem.removeFile(path)
                    report.droppedUnsynced += 1
                    continue
                }
                if let maxAge, now.timeIntervalSince(modified) > maxAge {
                    try? FileSystem.removeFile(path)
                    report.expired += 1
                    continue
                }
                entries.append(Entry(name: file, size: size, modified: modified))
                report.entries += 1
                report.bytes += size
            }
        }
        entries.sort { $0.modified < $1.modified }
        return (report, entries)
    }

    /// The file's size, modification and change times if it is a complete entry (footer and trailer intact).
    static func validEntry(at path: String) -> (Int64, Date, Date)? {
        guard let fd = try? FileDescriptor.open(path, flags: O_RDONLY),
            let header = try? ObjectFile.readHeader(fd, requireFooter: true),
            header.trailer.key != nil,
            let status = try? fd.status(), let changed = try? fd.changeTime()
        else { return nil }
        return (status.size, status.modified, changed)
    }

    private static func removeStaleTemporaryFiles(_ directory: String, now: Date, report: inout FSCacheScanReport) {
        for (file, _) in (try? FileSystem.entries(of: directory)) ?? [] {
            let path = directory + "/" + file
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if now.timeIntervalSince1970 - Double(info.st_mtim.tv_sec) > temporaryGrace {
                try? FileSystem.removeFile(path)
                report.removedInvalid += 1
            }
        }
    }
}

/// `objectmail fscache rescan DIR [MAX_AGE]`: recomputes a cache directory's size and drops
/// entries older than MAX_AGE (seconds) and leftovers of crashed fills.
public func rescanFSCache(directory: String, maxAge: TimeInterval?) async throws -> FSCacheScanReport {
    let layout = FSCacheLayout(directory: directory)
    return try await BlockingPool.fileIO.run {
        try FSCacheScanner.scan(layout: layout, maxAge: maxAge).0
    }
}
