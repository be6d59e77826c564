import Config
import Foundation
import Logging
import ObjectStore
import Primitives
import S3Client
import Synchronization

#if canImport(Glibc)
    import ExecutorPreference
    import Glibc
#endif

/// The `fscache:SIZE:DIR:PARENT` wrapper: a size-bounded on-disk cache of whole objects in front
/// of a slow or costly parent (the bucket).
///
/// - Read-through: a get that misses fetches the whole object once (concurrent misses of one key
///   share that fetch), serves the requested range, and writes the entry right after; later
///   ranges, stats and downloads of the key need no parent request.
/// - Write-through: a put goes to the parent first, then into the cache (a mail just delivered
///   is read from the cache).
/// - Entries are written to `DIR/tmp` and renamed into place, so no partial entry is ever served
///   and a crash mid-fill leaves only a temporary file, removed at the next start-up.
/// - `mail_fsync` (`FSCacheStore+Sync`): with `always` each entry and its directory are fsynced before it
///   counts as written; otherwise entries are not synced one by one, and the first start after the machine went
///   down drops those that may not have reached the disk (`FSCacheSyncMarker`).
/// - Puts, copies onto a key and deletes invalidate the key's entry, before and after the parent
///   changes, and fills that started earlier are not installed.
/// - A full or unwritable cache disk never fails a request: the object is served from the parent
///   and a warning is logged.
/// - The total size is kept under SIZE by evicting least recently used entries at each install;
///   concurrent fills may overshoot by the entries being written, never more. Accounting is
///   rebuilt from the directory at start-up (one process owns a cache directory's accounting).
/// - Objects fetched on a miss are held in memory once (a get returns them in memory anyway).
public final class FSCacheStore: ObjectStore {
    public let parent: any ObjectStore
    public let directory: String
    public let maxSize: Int64
    let layout: FSCacheLayout
    let index: FSCacheIndex
    private let io = BlockingPool.fileIO
    /// Cache entries are written on their own threads, so that reads (hits falling back from the
    /// page cache, the parent's own file reads) never queue behind them.
    static let writers = BlockingPool(threads: 2)
    /// Bytes of fetched objects waiting to be written; beyond `maxWriteBacklog` new misses are
    /// served without being cached, so a burst of misses cannot pile up objects in memory.
    private let backlog = Atomic<Int>(0)
    public let maxWriteBacklog: Int
    let logger: Logger
    private let startup = Mutex<Task<Void, Never>?>(nil)
    private let isReady = Atomic<Bool>(false)
    /// `metacache_min_free_space` on the metacache's filesystem (see `FSCacheStore+FreeSpace`).
    let keepFree: FreeSpaceReserve?
    /// When the free space was last checked outside an install (uptime nanoseconds), to do it at most once a second.
    let lastSpaceCheck = Atomic<UInt64>(0)
    /// Failed entry writes (a full cache disk) are logged at the 1st, 2nd, 4th … in a row, not once per miss.
    let storeFailures = RepeatedFailureLog()
    let spaceWarnings = RepeatedFailureLog()
    /// `mail_fsync`, and how often `optimized` and `always` sync the cache's filesystem after entries were written.
    let fsync: FsyncPolicy
    let syncInterval: Duration
    /// When an entry was last installed, and the time this store's last sync lets the marker claim (`FSCacheStore+Sync`).
    let syncState = Mutex(SyncState())
    /// Entries fsynced with their directory (`always`), and filesystem syncs done: what the tests observe.
    let entrySyncs = Atomic<Int>(0)
    let filesystemSyncs = Atomic<Int>(0)
    let syncLoop = Mutex<Task<Void, Never>?>(nil)

    public var description: String { "fscache:\(maxSize):\(directory):\(parent.description)" }

    public init(
        parent: any ObjectStore, directory: String, maxSize: Int64, maxWriteBacklog: Int = 64 << 20,
        logger: Logger = Logger(label: "objectmail.fscache"), keepFree: FreeSpaceReserve? = nil,
        fsync: FsyncPolicy = .optimized, syncInterval: Duration = .seconds(60)
    ) {
        self.parent = parent
        self.fsync = fsync
        self.syncInterval = syncInterval
        self.keepFree = keepFree.flatMap { $0.bytes > 0 ? $0 : nil }
        self.maxWriteBacklog = maxWriteBacklog
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.maxSize = maxSize
        self.layout = FSCacheLayout(directory: self.directory)
        self.index = FSCacheIndex(maxSize: maxSize)
        self.logger = logger
    }

    static let factory: PipelineRegistry.WrapperFactory = { arguments, context in
        guard let size = SettingType.parseSize(arguments[0]), size > 0 else {
            throw PipelineArgumentError(index: 0, expected: "a size such as 1G, 500M or 100k")
        }
        let directory = context.expandVariables(arguments[1])
        guard directory.hasPrefix("/") else {
            throw PipelineArgumentError(index: 1, expected: "an absolute directory")
        }
        return { parent in
            let store = FSCacheStore(
                parent: parent, directory: directory, maxSize: size, logger: context.logger,
                keepFree: context.keepFree, fsync: context.fsync)
            FSCacheMetrics.track(store.index)
            return store
        }
    }

    /// The cache's figures now.
    public var statistics: FSCacheStatistics { index.statistics }

    /// Waits until the entries of misses served so far are written (they are written after the
    /// caller got its object). A short-lived process (the command line) calls it before exiting.
    public func waitForPendingWrites() async {
        while true {
            let pending = index.pendingCompletions
            if pending.isEmpty { return }
            for completion in pending { await completion.value }
        }
    }

    /// Entry file names from least to most recently used (for tests and diagnostics).
    var entryNamesOldestFirst: [String] { index.namesOldestFirst }

    func entryName(for key: String) -> String { layout.name(for: key) }

    /// Waits until the start-up scan has rebuilt the accounting (the first call starts it).
    public func waitUntilReady() async {
        if isReady.load(ordering: .acquiring) { return }
        let task = startup.withLock { task in
            if let task { return task }
            let started = Task { await self.rebuild() }
            task = started
            return started
        }
        await task.value
    }

    private func rebuild() async {
        do {
            let layout = self.layout
            let (report, entries) = try await io.run { try self.scanAfterCrashCheck() }
            index.load(entries.map { ($0.name, $0.size) }) { name in try? FileSystem.removeFile(layout.path(forName: name)) }
            logger.debug(
                "fscache loaded",
                metadata: [
                    "directory": "\(directory)", "entries": "\(report.entries)",
                    "bytes": "\(report.bytes)", "removed": "\(report.removedInvalid)"
                ])
            if report.droppedUnsynced > 0 {
                logger.notice(
                    "fscache: the machine went down since the cache was last used; entries written after its last sync dropped",
                    metadata: ["directory": "\(directory)", "dropped": "\(report.droppedUnsynced)", "kept": "\(report.entries)"])
            }
        } catch {
            logger.warning(
                "fscache: cannot scan the cache directory; starting empty",
                metadata: ["directory": "\(directory)", "error": "\(error)"])
        }
        startSyncLoop()
        isReady.store(true, ordering: .releasing)
    }

    // MARK: Reads

    public func get(_ key: String, range: ByteRange?) async throws -> StoredObject {
        await waitUntilReady()
        checkFreeSpaceNow()
        let name = layout.name(for: key)
        if let object = try await readEntry(
            key: key, name: name, wholeFileLimit: range == nil ? 256 * 1024 : 0, inline: true,
            { fd, header in
                let positions = try (range ?? ByteRange(offset: 0)).resolve(size: header.dataLength, key: key)
                return StoredObject(info: header.info(key: key), body: try ObjectFile.readData(fd, header: header, positions: positions))
            })
        {
            return object
        }
        let object = try await fill(key: key, name: name)
        return StoredObject(info: object.info, body: try object.body.slice(range, key: key))
    }

    public func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        await waitUntilReady()
        let name = layout.name(for: key)
        if let info = try await readEntry(
            key: key, name: name, inline: false,
            { fd, header in
                let positions = try (range ?? ByteRange(offset: 0)).resolve(size: header.dataLength, key: key)
                do {
                    try ObjectFile.copyData(of: fd, range: positions, to: path)
                } catch let error as SystemCallError {
                    // The target is the caller's problem, not a broken entry: report it, do not refetch.
                    throw ObjectStoreError.io(key: key, detail: error.description)
                }
                return header.info(key: key)
            })
        {
            return info
        }
        let object = try await fill(key: key, name: name)
        try await ObjectFile.saveDownload(try object.body.slice(range, key: key), to: path, key: key)
        return object.info
    }

    /// A stat of a cached key needs no parent request; a miss asks the parent without filling.
    public func stat(_ key: String) async throws -> ObjectInfo {
        await waitUntilReady()
        let name = layout.name(for: key)
        if let info = try await readEntry(key: key, name: name, inline: true, { _, header in header.info(key: key) }) {
            return info
        }
        return try await parent.stat(key)
    }

    public func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
    }

    /// Runs `serve` on the key's entry if there is a valid one; nil means a miss. Only range errors
    /// (the client's fault) propagate: a broken or unreadable entry is a miss, never an error.
    ///
    /// With `inline`, a small entry is first read right here on the cooperative thread, but only
    /// from the page cache (preadv2 RWF_NOWAIT): a hit then costs no thread hop (~15 µs instead of
    /// ~50 µs), and a read that would wait for the disk is handed to an I/O thread instead.
    private func readEntry<T: Sendable>(
        key: String, name: String, wholeFileLimit: Int64 = 0, inline: Bool,
        _ serve: @escaping @Sendable (borrowing FileDescriptor, ObjectFile.Header) throws -> T
    ) async throws -> T? {
        let path = layout.path(forName: name)
        let logger = self.logger
        var result: T?
        var served = false
        if inline {
            do {
                result = try Self.readEntryFile(
                    path: path, key: key, wholeFileLimit: wholeFileLimit,
                    cachedReadsOnly: true, logger: logger, serve)
                served = true
            } catch let error as SystemCallError where error.wouldBlock {
                // Not in memory (or too large to copy here): read it on an I/O thread.
            }
        }
        if !served {
            result = try await io.run {
                try Self.readEntryFile(
                    path: path, key: key, wholeFileLimit: wholeFileLimit,
                    cachedReadsOnly: false, logger: logger, serve)
            }
        }
        guard let value = result else { return nil }
        index.recordHit(name)
        return value
    }

    /// Entries larger than this are always read on an I/O thread.
    private static let inlineReadLimit: Int64 = 1 << 20

    private static func readEntryFile<T>(
        path: String, key: String, wholeFileLimit: Int64, cachedReadsOnly: Bool, logger: Logger,
        _ serve: (borrowing FileDescriptor, ObjectFile.Header) throws -> T
    ) throws -> T? {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, flags: O_RDONLY, cachedReadsOnly: cachedReadsOnly)
        } catch let error as SystemCallError {
            if !error.isNotFound { logger.warning("fscache: cannot read an entry", metadata: ["key": "\(key)", "error": "\(error)"]) }
            return nil
        }
        do {
            if cachedReadsOnly, try fd.size() > inlineReadLimit {
                throw SystemCallError("inline read", path: path, errno: EAGAIN)
            }
            guard let header = try ObjectFile.readHeader(fd, requireFooter: true, wholeFileLimit: wholeFileLimit),
                header.trailer.key == key
            else { return nil }
            return try serve(fd, header)
        } catch let error as SystemCallError {
            if cachedReadsOnly && error.wouldBlock { throw error }
            logger.warning("fscache: cannot read an entry", metadata: ["key": "\(key)", "error": "\(error)"])
            return nil
        }
    }

    /// Fetches the whole object from the parent once for all concurrent misses of the key, and stores it.
    private func fill(key: String, name: String) async throws -> StoredObject {
        index.recordMiss()
        let task = index.fill(name) { generation, id in
            let fetch = Task(executorPreference: PreferredExecutor.current) { try await self.parent.get(key, range: nil) }
            // The callers get the object as soon as it is fetched; the entry is written meanwhile.
            // Gets arriving before it is installed still join this fill (it stays registered until
            // the write is done) and cost no parent request.
            let completion = Task {
                if let object = try? await fetch.value {
                    self.index.recordParentFetch(bytes: object.body.count)
                    let size = object.body.count
                    if self.backlog.add(size, ordering: .relaxed).newValue <= self.maxWriteBacklog {
                        let trailer = ObjectFileTrailer(
                            metadata: object.info.metadata, key: key,
                            lastModified: object.info.lastModified, etag: object.info.etag)
                        await self.store(key: key, name: name, body: .bytes(object.body), trailer: trailer, generation: generation)
                    } else {
                        self.index.recordSkippedWrite()
                    }
                    self.backlog.subtract(size, ordering: .relaxed)
                }
                self.index.finishFill(name, id: id)
            }
            return (fetch, completion)
        }
        // A fill another request started is bounded by that request's deadline, not this one's.
        return try await OperationDeadline.value(of: task) {
            ObjectStoreError.unavailable(key: key, detail: "mail_operation_deadline passed while waiting for the object", requestID: nil)
        }
    }

    // MARK: Writes

    public func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
        await waitUntilReady()
        let name = layout.name(for: key)
        await invalidate(name)
        try await parent.put(key, body: body, options: options)
        let generation = await invalidate(name)
        let trailer = ObjectFileTrailer(metadata: options.metadata, contentType: options.contentType, key: key, lastModified: Date())
        await store(key: key, name: name, body: body, trailer: trailer, generation: generation)
    }

    public func delete(_ key: String) async throws {
        await waitUntilReady()
        let name = layout.name(for: key)
        await invalidate(name)
        try await parent.delete(key)
        await invalidate(name)
    }

    public func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
        await waitUntilReady()
        let names = keys.map(layout.name(for:))
        await invalidate(names)
        let failures = try await parent.deleteMany(keys)
        await invalidate(names)
        return failures
    }

    public func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        await waitUntilReady()
        let name = layout.name(for: destination)
        await invalidate(name)
        try await parent.copy(from: source, to: destination, metadata: metadata)
        await invalidate(name)
    }

    /// Drops the key's entry (file included); returns the generation a write-through may install with.
    @discardableResult
    private func invalidate(_ name: String) async -> UInt64 {
        await invalidate([name]).first ?? index.generation(name)
    }

    /// Drops many entries in one trip to an I/O thread (bulk deletes).
    @discardableResult
    private func invalidate(_ names: [String]) async -> [UInt64] {
        let layout = self.layout
        let index = self.index
        return
            (try? await io.run {
                names.map { name in index.invalidate(name) { try? FileSystem.removeFile(layout.path(forName: name)) } }
            }) ?? names.map(index.generation)
    }

    /// Writes an entry to a temporary file and installs it. Failures (full or read-only disk) are
    /// logged and counted, never thrown: the parent already has the object.
    private func store(key: String, name: String, body: ObjectBody, trailer: ObjectFileTrailer, generation: UInt64) async {
        let layout = self.layout
        let index = self.index
        do {
            try await Self.writers.run {
                guard self.makeRoomOnSharedDisk(for: (try? body.size()) ?? 0) else {
                    index.recordSkippedWrite()
                    return
                }
                let temporary = layout.temporaryDirectory + "/" + FileSystem.temporaryName(prefix: name)
                do {
                    // Directories are created on the first ENOENT, not checked on every store.
                    let always = self.fsync == .always
                    let size = try retryingAfterMakingDirectory(layout.temporaryDirectory) {
                        try ObjectFile.write(to: temporary, body: body, trailer: trailer, sync: always)
                    }
                    let installed = try index.install(
                        name, size: size, generation: generation,
                        rename: {
                            try retryingAfterMakingDirectory(layout.subdirectory(forName: name)) {
                                try FileSystem.rename(temporary, to: layout.path(forName: name))
                            }
                        }, removeFile: { victim in try? FileSystem.removeFile(layout.path(forName: victim)) })
                    if !installed {
                        try? FileSystem.removeFile(temporary)
                        return
                    }
                    self.syncState.withLock { $0.lastInstall = Date() }
                    if always {
                        // After the lock `install` holds, so hits and other installs never wait for the disk.
                        try FileSystem.syncDirectory(layout.subdirectory(forName: name))
                        self.entrySyncs.add(1, ordering: .relaxed)
                    }
                } catch {
                    try? FileSystem.removeFile(temporary)
                    throw error
                }
            }
            storeFailures.succeeded()
        } catch {
            index.recordStoreFailure()
            if let inARow = storeFailures.failed() {
                logger.warning(
                    "fscache: cannot store an entry; serving from the parent",
                    metadata: ["key": "\(key)", "directory": "\(directory)", "error": "\(error)", "failures_in_a_row": "\(inARow)"])
            }
        }
    }
}

/// Runs `body`; if it fails because `directory` is missing, creates it and runs `body` once more.
private func retryingAfterMakingDirectory<T>(_ directory: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SystemCallError where error.errno == ENOENT {
        try FileSystem.makeDirectories(directory)
        return try body()
    }
}
