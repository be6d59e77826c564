import Foundation
import GRDB
import Synchronization

/// One user's local index: an SQLite database in WAL mode under the user's `mail_home`.
/// It holds everything IMAP and POP3 need without touching the bucket. Every change runs in one
/// transaction on GRDB's own serial writer queue, so no caller waits for another writer on an event loop
/// or the cooperative thread pool; reads run on the caller's thread (see `read`).
public final class UserIndex: Sendable {
    public let user: String
    public let path: String
    let pool: DatabasePool
    /// Counts finished write transactions. A reader that notes it before reading and finds it unchanged
    /// later knows nothing changed meanwhile, without a query (IMAP checks it before every command).
    private let writes = Atomic<UInt64>(0)

    public static let fileName = "objectmail.index.sqlite"

    /// Opens (creating if needed) the index in `directory` and migrates it to the current schema.
    public init(user: String, directory: String) throws {
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
            // WAL + synchronous=NORMAL: a crash keeps the database consistent; the last transactions
            // may be lost, and the bucket (objects carry their metadata) is the truth that
            // recovery rescans. This is Dovecot's mail_fsync=never trade-off for the metacache.
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try IndexSchema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw IndexError.database(user: user, detail: "\(path): \(error.message ?? error.description)")
        }
    }

    /// Runs `body` in one write transaction, mapping SQLite failures to `IndexError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        // Counted even when the transaction fails: a spurious re-read is harmless, a missed change is not.
        defer { writes.add(1, ordering: .sequentiallyConsistent) }
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw IndexError.database(user: user, detail: error.message ?? error.description)
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
            return try readOnCallingThread(body)
        } catch let error as DatabaseError {
            throw IndexError.database(user: user, detail: error.message ?? error.description)
        }
    }

    /// Not async, so `pool.read` is GRDB's synchronous form (from an async context Swift would pick the async one).
    private func readOnCallingThread<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    // MARK: - Small per-user state

    public func state(_ key: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM state WHERE key = ?", arguments: [key]) }
    }

    public func setState(_ key: String, _ value: String?) async throws {
        try await write { db in
            if let value {
                try db.execute(sql: "INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                               arguments: [key, value])
            } else {
                try db.execute(sql: "DELETE FROM state WHERE key = ?", arguments: [key])
            }
        }
    }
}
