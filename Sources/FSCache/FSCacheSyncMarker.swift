import Foundation
import ObjectStore

#if canImport(Glibc)
    import Glibc
#endif

/// `DIR/objectmail.synced` in a cache directory: the machine's boot in which the cache was last used, and a time
/// before which every entry is known to be on disk (a `syncfs` of the cache's filesystem ran after it).
///
/// Why: entries are not fsynced one by one (`mail_fsync = optimized` or `never`), and after a power loss some
/// filesystems can show a renamed entry whose size and footer reached the disk but part of whose data did not
/// (XFS completes a file's writes out of order; ext4 with data=writeback may expose old blocks). Such an entry
/// passes the footer, size and key checks of a read and would be served as mail with holes in it. A process crash
/// cannot do that (the page cache outlives the process); only the machine going down can, and that changes the
/// boot id. So the first start in a new boot drops the entries changed since the marker's time: those are the only
/// ones that may be torn.
struct FSCacheSyncMarker: Sendable, Equatable {
    static let fileName = "objectmail.synced"
    /// Time taken off before a `syncfs`: inode times come from the kernel's coarse clock, which may lag a few
    /// milliseconds, so an entry installed just after the moment could otherwise carry an earlier time.
    static let clockSlack: TimeInterval = 2

    /// `/proc/sys/kernel/random/boot_id` when written; nil when it cannot be read (every start then counts as
    /// the first of a new boot).
    var bootID: String?
    /// Entries whose inode changed before this are on disk; the epoch when none is known to be.
    var syncedBefore: Date

    /// The marker a start-up finds, and what it drops: entries changed at or after `dropChangedSince` (nil: none).
    struct StartUp: Equatable {
        var dropChangedSince: Date?
        /// The marker to leave for the next start (the same one when nothing changed).
        var marker: FSCacheSyncMarker
    }

    /// - No marker (a new directory, one written by an older version, or a marker torn by a crash): nothing says the
    ///   entries are on disk, so all are dropped.
    /// - The same boot: the machine has not gone down since, every entry reads as written.
    /// - Another boot: entries changed since the marker's time may be torn.
    /// The time is kept, not advanced: until a `syncfs` has run in this boot, the drops themselves may not be on
    /// disk, and a torn entry coming back after a second crash must still fall under the time.
    static func startUp(found: FSCacheSyncMarker?, bootID: String?) -> StartUp {
        guard let found else {
            return StartUp(dropChangedSince: .distantPast, marker: FSCacheSyncMarker(bootID: bootID, syncedBefore: Date(timeIntervalSince1970: 0)))
        }
        if let bootID, found.bootID == bootID { return StartUp(dropChangedSince: nil, marker: found) }
        return StartUp(dropChangedSince: found.syncedBefore, marker: FSCacheSyncMarker(bootID: bootID, syncedBefore: found.syncedBefore))
    }

    /// This process's boot: it cannot change while the process lives.
    static let thisBoot: String? = currentBootID()

    static func currentBootID() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return nil }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }

    static func path(in directory: String) -> String { directory + "/" + fileName }

    /// The marker in `directory`; nil when missing or not in this form (a torn one counts as missing).
    static func read(in directory: String) -> FSCacheSyncMarker? {
        guard let text = try? String(contentsOfFile: path(in: directory), encoding: .utf8) else { return nil }
        var boot: String??
        var synced: Date?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "boot": boot = .some(parts[1] == "-" ? nil : parts[1])
            case "synced": synced = Double(parts[1]).map { Date(timeIntervalSince1970: $0) }
            default: return nil
            }
        }
        guard let boot, let synced else { return nil }
        return FSCacheSyncMarker(bootID: boot, syncedBefore: synced)
    }

    /// Replaces the marker through a temporary file and a rename. With `sync` the new marker is fsynced before the
    /// rename, so a crash leaves the old marker or the new one, never a torn one (which would drop every entry).
    /// Without it (`never`) a torn marker only costs the entries. The temporary file goes to `DIR/tmp`, whose
    /// leftovers the start-up scan removes.
    func write(in layout: FSCacheLayout, sync: Bool) throws {
        let text = "boot \(bootID ?? "-")\nsynced \(String(format: "%.3f", syncedBefore.timeIntervalSince1970))\n"
        try FileSystem.makeDirectories(layout.temporaryDirectory)
        let temporary = layout.temporaryDirectory + "/" + FileSystem.temporaryName(prefix: Self.fileName)
        do {
            let fd = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
            try fd.write(Array(text.utf8))
            if sync { try fd.sync() }
            try FileSystem.rename(temporary, to: Self.path(in: layout.directory))
        } catch {
            try? FileSystem.removeFile(temporary)
            throw error
        }
    }
}
