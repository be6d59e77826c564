import CPostgreSQL
import Foundation

/// `driver = pgsql` in dovecot-sql.conf.ext: PostgreSQL through libpq. `connect` is libpq's own conninfo
/// (`host=… port=… dbname=… user=… password=…`), as in Dovecot. One connection, reset once when it broke.
/// Used only from `BlockingPool` threads.
final class PostgreSQLConnection: SQLConnection, @unchecked Sendable {
    private let conninfo: String
    private let lock = NSLock()
    // Guarded by `lock`.
    private var handle: OpaquePointer?

    init(conninfo: String) {
        self.conninfo = conninfo
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// With standard_conforming_strings (on since PostgreSQL 9.1) a quote is doubled and backslashes are literal.
    func escape(_ value: String) -> String {
        Escaping.replace(value, ["'": "''", "\0": ""])
    }

    func query(_ sql: String) throws -> [[String: String]] {
        try lock.withLock {
            do {
                return try run(sql, on: try open())
            } catch let error as AuthBackendError {
                // The server closed the connection (restart, idle timeout): reconnect and try once more.
                guard let handle, PQstatus(handle) == CONNECTION_BAD else { throw error }
                close()
                return try run(sql, on: try open())
            }
        }
    }

    private func run(_ sql: String, on connection: OpaquePointer) throws -> [[String: String]] {
        guard let result = PQexec(connection, sql) else { throw failure(connection, "query failed") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw AuthBackendError(driver: "sql", "pgsql: query failed: \(message)")
        }
        let columns = Int32(0)..<PQnfields(result)
        let names = columns.map { String(cString: PQfname(result, $0)) }
        return (Int32(0)..<PQntuples(result)).map { row in
            var values: [String: String] = [:]
            for column in columns where PQgetisnull(result, row, column) == 0 {
                let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: Int(PQgetlength(result, row, column)))
                values[names[Int(column)]] = String(decoding: bytes, as: UTF8.self)
            }
            return values
        }
    }

    private func open() throws -> OpaquePointer {
        if let handle, PQstatus(handle) == CONNECTION_OK { return handle }
        close()
        guard let connection = PQconnectdb(conninfo) else { throw AuthBackendError(driver: "sql", "pgsql: out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = failure(connection, "cannot connect")
            PQfinish(connection)
            throw error
        }
        handle = connection
        return connection
    }

    private func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// libpq's message; the conninfo (with its password) is never part of it.
    private func failure(_ connection: OpaquePointer, _ context: String) -> AuthBackendError {
        let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
        return AuthBackendError(driver: "sql", "pgsql: \(context): \(message)")
    }
}
