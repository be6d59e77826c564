import Foundation
import GRDB
import ObjectStore
import Testing

@testable import MetaCache

/// `mail_fsync` reaches SQLite: every connection of an index (the writer, the pool's readers, the dedicated
/// reader) runs with the `synchronous` mode the policy maps to.
@Suite struct UserIndexFsyncTests {
    /// SQLite's numbers for `PRAGMA synchronous`: 0 OFF, 1 NORMAL, 2 FULL.
    @Test(arguments: [(FsyncPolicy.always, 2), (.optimized, 1), (.never, 1)])
    func synchronousFollowsMailFsync(policy: FsyncPolicy, expected: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let index = try UserIndex(user: "user@example.com", directory: directory, fsync: policy)
        let writer = try await index.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        let poolReader = try await index.pool.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        let reader = try index.readSynchronously { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(writer == expected)
        #expect(poolReader == expected)
        #expect(reader == expected)
        // Still WAL: FULL and NORMAL mean what the policy says only in WAL mode.
        #expect(try await index.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
    }
}
