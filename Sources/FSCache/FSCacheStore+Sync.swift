import Foundation
import ObjectStore

#if canImport(Glibc)
    import Glibc
#endif

/// `mail_fsync` for the cache. Entries are a copy of what the object store holds, so a crash may lose any of them;
/// what must never happen is serving one whose data did not all reach the disk. The modes:
/// - `always`: each entry is fsynced before its rename and its directory after (`store`), so a write-through put
///   returns with the cached copy on disk (about 0.35 ms more per 50 KB entry here, docs/configuration.md).
/// - `optimized`: no sync per entry; once a minute, if entries were written, one `syncfs` of the cache's filesystem
///   on a writer thread, then the marker records that everything changed before it is on disk. After the machine
///   went down, start-up drops the entries of the last minute or so.
/// - `never`: no sync call at all; the marker keeps no sync time, so the first start after the machine went down
///   (a crash or a reboot: the two cannot be told apart) drops every entry.
/// `always` runs the minute's sync too: without it every restart of the machine would drop entries that are on disk.
extension FSCacheStore {
    /// On an I/O thread at start-up: the scan, dropping what a machine crash may have torn, and the marker for the
    /// next start. A marker that cannot be written (a read-only directory) is reported; the scan still counts.
    func scanAfterCrashCheck() throws -> (FSCacheScanReport, [FSCacheScanner.Entry]) {
        let found = FSCacheSyncMarker.read(in: layout.directory)
        let startUp = FSCacheSyncMarker.startUp(found: found, bootID: FSCacheSyncMarker.thisBoot)
        let result = try FSCacheScanner.scan(layout: layout, maxAge: nil, dropChangedSince: startUp.dropChangedSince)
        if startUp.marker != found {
            do {
                try startUp.marker.write(in: layout, sync: fsync != .never)
            } catch {
                logger.warning(
                    "fscache: cannot write the sync marker; the next start drops every entry",
                    metadata: ["directory": "\(directory)", "error": "\(error)"])
            }
        }
        return result
    }

    /// Starts the minute's sync (not under `never`). The loop holds the store weakly, so a store nobody uses any
    /// more (a test's) ends its loop at the next tick.
    func startSyncLoop() {
        guard fsync != .never else { return }
        let interval = syncInterval
        syncLoop.withLock { loop in
            guard loop == nil else { return }
            loop = Task.detached { [weak self] in
                while (try? await Task.sleep(for: interval)) != nil {
                    guard let self else { return }
                    await self.syncWrittenEntries()
                }
            }
        }
    }

    /// What the minute's sync needs to know: an entry installed at or after the marker time this store last wrote is
    /// not covered yet.
    struct SyncState: Sendable {
        var lastInstall = Date.distantPast
        var syncedBefore = Date(timeIntervalSince1970: 0)
    }

    /// If an entry was installed after the marker time this store last wrote: `syncfs`, then the marker says that
    /// everything changed before the moment taken just before it is on disk. That moment lies `clockSlack` before
    /// the sync, so the round after one that synced usually runs once more, without new entries, to cover the last
    /// seconds. A failure leaves the old marker (the next start drops more) and is tried again next round.
    func syncWrittenEntries() async {
        guard syncState.withLock({ $0.lastInstall >= $0.syncedBefore }) else { return }
        let layout = self.layout
        do {
            let moment = try await Self.writers.run {
                let moment = Date(timeIntervalSinceNow: -FSCacheSyncMarker.clockSlack)
                let directory = try FileDescriptor.open(layout.directory, flags: O_RDONLY | O_DIRECTORY)
                try directory.syncFilesystem()
                try FSCacheSyncMarker(bootID: FSCacheSyncMarker.thisBoot, syncedBefore: moment).write(in: layout, sync: true)
                return moment
            }
            syncState.withLock { $0.syncedBefore = moment }
            filesystemSyncs.add(1, ordering: .relaxed)
        } catch {
            logger.warning(
                "fscache: cannot sync the cache's filesystem; after a machine crash more entries are dropped",
                metadata: ["directory": "\(directory)", "error": "\(error)"])
        }
    }
}
