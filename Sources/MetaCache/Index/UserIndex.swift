import Foundation
import GRDB
import ObjectStore
import Synchronization

/// One user's local index: an SQLite database in WAL mode under the user's `mail_home`.
/// It holds everything IMAP and POP3 need without touching the bucket. Every change runs in one
/// transaction on GRDB's own serial writer queue, so no caller waits for another writer on an event loop
/// or the cooperative thread pool; reads run on the caller's thread (see `read`).
public final class UserIndex: Sendable {
    public let user: String
    public let path: String
    let pool: DatabasePool
    /// The connection index reads use when no other read of this user is running (see `read`).
    private let reader: DatabaseQueue
    private let readerBusy = Atomic<Bool>(false)
    /// Counts finished write transactions. A reader that notes it before reading and finds it unchanged
    /// later knows nothing changed meanwhile, without a query (IMAP checks it before every command).
    private let writes = Atomic<UInt64>(0)
    /// Object keys the store confirmed deleted, for the next write to remove from `pendingDelete` (see `objectsDeleted`).
    let deletesConfirmed = Mutex<[String]>([])

    public static let fileName = "objectmail.index.sqlite"

    /// Opens (creating if needed) the index in `directory` and migrates it to the current schema.
    /// - Parameter fsync: `mail_fsync` (see `synchronousMode(for:)`).
    public init(user: String, directory: String, fsync: FsyncPolicy = .optimized) throws {
        self.user = user
        self.path = (directory as NSString).appendingPathComponent(Self.fileName)
        _ = SQLiteMemory.configured
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            configuration.label = "index(\(user))"
            // Each open reader holds its own page cache; a user's sessions read one at a time in practice
            // (GRDB's default of 5 mostly opens readers that then sit idle, ~30 KiB each).
            configuration.maximumReaderCount = 2
            let synchronous = Self.synchronousMode(for: fsync)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            // Again on the writer: the pool turns on WAL after `prepareDatabase` and sets NORMAL with it.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            try IndexSchema.migrator.migrate(pool)
            // Opened after the migrations: the schema of an open index never changes again (bundles are
            // imported through writes), so this connection need not check `PRAGMA schema_version` per read.
            var readerConfiguration = configuration
            readerConfiguration.readonly = true
            readerConfiguration.label = "index-reader(\(user))"
            reader = try DatabaseQueue(path: path, configuration: readerConfiguration)
        } catch let error as DatabaseError {
            throw IndexError.from(error, user: user, context: path)
        }
    }

    /// SQLite's `synchronous` for a `mail_fsync` mode, in WAL mode:
    /// - `always` → FULL: every commit syncs the WAL, so a committed change survives a power loss (0.15-0.18 ms
    ///   more per commit on this machine's ext4, docs/configuration.md).
    /// - `optimized` and `never` → NORMAL: the WAL is synced only at checkpoints. A power loss may lose the last
    ///   commits but never corrupts the file, and the dirty marker makes the next start revalidate the user against
    ///   the bucket, which brings back what the lost commits recorded (new mail by rescan, flags from the bundles).
    ///   `never` does not go to OFF: OFF skips only the checkpoint syncs (about one per 4 MB of WAL; 3-5 µs a
    ///   commit here), and a power loss during a checkpoint can then corrupt the index, which recovery neither
    ///   detects nor repairs (wrong rows, or the user's logins failing until the metacache is deleted).
    static func synchronousMode(for fsync: FsyncPolicy) -> String {
        switch fsync {
        case .always: "FULL"
        case .optimized, .never: "NORMAL"
        }
    }

    /// Runs `body` in one write transaction, mapping SQLite failures to `IndexError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writeAndCatchUp(nil, body).value
    }

    /// `write` of a result that carries the catch-up `request` asked for (see `writeAndCatchUp`).
    func write<T: Sendable & CarriesCatchUp>(
        catchingUp request: CatchUpRequest?,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        var (value, caughtUp) = try await writeAndCatchUp(request, body)
        value.caughtUp = caughtUp
        return value
    }

    /// `write`, then, in the same transaction, what changed in the mailbox `request` names after the MODSEQ it
    /// gives (see `mailboxChanges`): a session catching up on its own change needs no read transaction of its own,
    /// which after a write would read every page it touches from the file again (SQLite drops a reader's page
    /// cache whenever the WAL changed), and which was the largest index cost of a STORE, APPEND or EXPUNGE.
    private func writeAndCatchUp<T: Sendable>(
        _ request: CatchUpRequest?,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> (value: T, caughtUp: CaughtUp?) {
        do {
            return try await pool.writeWithoutTransaction { db in
                let result: (value: T, caughtUp: (changes: MailboxChanges?, claimedRecent: UInt32?)?)
                let confirmedDeletes = self.deletesConfirmed.withLock { queued in
                    defer { queued = [] }
                    return queued
                }
                do {
                    result = try db.inCachedTransaction(.immediate) {
                        try Self.applyConfirmedDeletes(confirmedDeletes, in: db)
                        let value = try body(db)
                        return (value, try request.map { try Self.catchUp($0, db: db) })
                    }
                } catch {
                    self.deletesConfirmed.withLock { $0 += confirmedDeletes }
                    // Counted even when the transaction fails: a spurious re-read is harmless, a missed change is not.
                    self.writes.add(1, ordering: .sequentiallyConsistent)
                    throw error
                }
                // Counted here, on the writer's queue once committed, so generations follow the order of the commits
                // and the generation a write returns covers exactly what its catch-up read.
                let generation = self.writes.add(1, ordering: .sequentiallyConsistent).newValue
                return (
                    result.value,
                    request.map {
                        CaughtUp(request: $0, changes: result.caughtUp?.changes, claimedRecent: result.caughtUp?.claimedRecent, generation: generation)
                    }
                )
            }
        } catch let error as DatabaseError {
            throw IndexError.from(error, user: user)
        }
    }

    /// Changes whenever a write transaction has finished (see `writes`).
    public var writeGeneration: UInt64 { writes.load(ordering: .sequentiallyConsistent) }

    /// Runs `body` on the calling thread, in a WAL snapshot of its own. Reads are index lookups of micro- to
    /// milliseconds from a local file that is in the page cache; sending each one to GRDB's reader queue and
    /// back cost two thread wake-ups, more than the query itself (docs/performance.md). Writes keep their
    /// queue: they may wait for another writer, and that wait must not hold a cooperative thread.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try readSynchronously(body)
        } catch let error as DatabaseError {
            throw IndexError.from(error, user: user)
        }
    }

    /// Not async, so the synchronous forms run (from an async context Swift would pick the async ones).
    /// Reads go to the dedicated `reader` unless another read holds it, and then to the pool's readers, so
    /// two sessions of one user never wait for each other. The pool checks `PRAGMA schema_version` and
    /// picks a reader from its pool on every call (measured: docs/performance.md); `reader` does neither.
    func readSynchronously<T>(_ body: (Database) throws -> T) throws -> T {
        if readerBusy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            defer { readerBusy.store(false, ordering: .releasing) }
            return try reader.unsafeRead { db in try db.inCachedTransaction(.deferred) { try body(db) } }
        }
        return try pool.unsafeRead { db in try db.inCachedTransaction(.deferred) { try body(db) } }
    }

    // MARK: - Small per-user state

    public func state(_ key: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = ?", arguments: [key]) }
    }

    /// Every state key starting with `prefix` (a plain prefix: no LIKE wildcards are interpreted), with its value.
    public func states(withPrefix prefix: String) async throws -> [String: String] {
        try await read { db in
            var found: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM state WHERE substr(key, 1, ?) = ?", arguments: [prefix.unicodeScalars.count, prefix]) {
                found[row["key"]] = row["value"]
            }
            return found
        }
    }

    public func setState(_ key: String, _ value: String?) async throws {
        try await write { db in
            if let value {
                try db.execute(
                    sql: "INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM state WHERE key = ?", arguments: [key])
            }
        }
    }
}
