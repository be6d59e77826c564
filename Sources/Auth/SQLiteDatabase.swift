import CSQLite
import Foundation

/// One SQLite connection used only from `BlockingPool` threads; the lock keeps one statement at a time.
final class SQLiteDatabase: SQLConnection, @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    // Guarded by `lock`.
    private var handle: OpaquePointer?

    init(path: String) {
        self.path = path
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// SQLite's quoting: a single quote is doubled.
    func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "'", with: "''")
    }

    func query(_ sql: String) throws -> [[String: String]] {
        try lock.withLock {
            let database = try open()
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(database, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw AuthBackendError(driver: "sql", "prepare failed: \(String(cString: sqlite3_errmsg(database)))")
            }
            defer { sqlite3_finalize(statement) }
            var rows: [[String: String]] = []
            while true {
                let status = sqlite3_step(statement)
                if status == SQLITE_DONE { break }
                guard status == SQLITE_ROW else {
                    throw AuthBackendError(driver: "sql", "query failed: \(String(cString: sqlite3_errmsg(database)))")
                }
                var row: [String: String] = [:]
                for column in 0..<sqlite3_column_count(statement) where sqlite3_column_type(statement, column) != SQLITE_NULL {
                    let name = String(cString: sqlite3_column_name(statement, column))
                    row[name] = sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
                }
                rows.append(row)
            }
            return rows
        }
    }

    private func open() throws -> OpaquePointer {
        if let handle { return handle }
        var database: OpaquePointer?
        // When a sqlite passdb opens before any user index: the process-wide setting must precede SQLite's
        // initialisation (see MetaCache's SQLiteMemory); later calls return SQLITE_MISUSE and change nothing.
        _ = csqlite_disable_page_cache_preallocation()
        let status = sqlite3_open_v2(path, &database, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let database else {
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "error \(status)"
            sqlite3_close_v2(database)
            throw AuthBackendError(driver: "sql", "cannot open \(path): \(message)")
        }
        sqlite3_busy_timeout(database, 5000)
        handle = database
        return database
    }
}
