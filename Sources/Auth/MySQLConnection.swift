import CMariaDB
import Foundation

/// `driver = mysql` in dovecot-sql.conf.ext: MariaDB or MySQL through libmariadb, one connection,
/// opened on first use and reopened once when the server has gone away. Used only from `BlockingPool` threads.
final class MySQLConnection: SQLConnection, @unchecked Sendable {
    private let connect: ConnectString
    private let lock = NSLock()
    // Guarded by `lock`.
    private var handle: UnsafeMutablePointer<MYSQL>?

    init(connect: ConnectString) throws {
        guard connect["host"] != nil || connect["dbname"] != nil else {
            throw AuthBackendError(driver: "sql", "mysql connect string needs host= and dbname=")
        }
        self.connect = connect
    }

    deinit {
        if let handle { mysql_close(handle) }
    }

    /// What mysql_real_escape_string does for UTF-8: backslash before quotes, backslash, NUL, CR, LF and ^Z.
    func escape(_ value: String) -> String {
        Escaping.replace(value, ["\0": "\\0", "\n": "\\n", "\r": "\\r", "\\": "\\\\", "'": "\\'", "\"": "\\\"", "\u{1A}": "\\Z"])
    }

    func query(_ sql: String) throws -> [[String: String]] {
        try lock.withLock {
            for attempt in 0..<2 {
                let database = try open()
                guard mysql_real_query(database, sql, UInt(sql.utf8.count)) == 0 else {
                    let code = mysql_errno(database)
                    // CR_SERVER_GONE_ERROR, CR_SERVER_LOST: reconnect once.
                    if attempt == 0 && (code == 2006 || code == 2013) {
                        close()
                        continue
                    }
                    throw error(database, "query failed")
                }
                return try rows(database)
            }
            throw AuthBackendError(driver: "sql", "mysql: server gone away twice")
        }
    }

    private func rows(_ database: UnsafeMutablePointer<MYSQL>) throws -> [[String: String]] {
        guard let result = mysql_store_result(database) else {
            if mysql_field_count(database) == 0 { return [] }
            throw error(database, "reading the result failed")
        }
        defer { mysql_free_result(result) }
        let count = Int(mysql_num_fields(result))
        guard let fields = mysql_fetch_fields(result) else { return [] }
        let names = (0..<count).map { String(cString: fields[$0].name) }
        var rows: [[String: String]] = []
        while let row = mysql_fetch_row(result) {
            guard let lengths = mysql_fetch_lengths(result) else { break }
            var values: [String: String] = [:]
            for column in 0..<count {
                guard let cell = row[column] else { continue }
                values[names[column]] = String(decoding: UnsafeRawBufferPointer(start: cell, count: Int(lengths[column])), as: UTF8.self)
            }
            rows.append(values)
        }
        return rows
    }

    private func open() throws -> UnsafeMutablePointer<MYSQL> {
        if let handle { return handle }
        guard let database = mysql_init(nil) else { throw AuthBackendError(driver: "sql", "mysql_init failed") }
        var timeout = UInt32(connect["connect_timeout"] ?? "") ?? 5
        mysql_options(database, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
        var readTimeout = UInt32(connect["read_timeout"] ?? "") ?? 30
        mysql_options(database, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        mysql_options(database, MYSQL_SET_CHARSET_NAME, connect["character_set"] ?? "utf8mb4")
        if connect["ssl_ca"] != nil || connect["ssl_cert"] != nil {
            mysql_ssl_set(database, connect["ssl_key"], connect["ssl_cert"], connect["ssl_ca"], connect["ssl_ca_path"], connect["ssl_cipher"])
            var verify: CChar = 1
            mysql_options(database, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify)
        }
        // host=/path/to/socket selects a UNIX socket, as in Dovecot.
        let host = connect["host"] ?? "localhost"
        let socket = host.hasPrefix("/") ? host : nil
        let port = UInt32(connect["port"] ?? "") ?? 0
        guard
            mysql_real_connect(
                database, socket == nil ? host : "localhost", connect["user"], connect["password"],
                connect["dbname"], port, socket, 0) != nil
        else {
            let failure = error(database, "cannot connect to \(host)")
            mysql_close(database)
            throw failure
        }
        handle = database
        return database
    }

    private func close() {
        if let handle { mysql_close(handle) }
        handle = nil
    }

    /// The server's message; the connect string (with its password) is never part of it.
    private func error(_ database: UnsafeMutablePointer<MYSQL>, _ context: String) -> AuthBackendError {
        AuthBackendError(driver: "sql", "mysql: \(context): \(String(cString: mysql_error(database))) (\(mysql_errno(database)))")
    }
}
