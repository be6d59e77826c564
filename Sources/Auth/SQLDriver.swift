import Config
import Primitives

/// `driver = sql` with `args = /etc/dovecot/dovecot-sql.conf.ext`: password_query, user_query and
/// iterate_query with %-variables, each value SQL-escaped before it is put into the query.
/// Backends: sqlite (`connect = /path/users.db`), mysql (MariaDB/MySQL via libmariadb), pgsql (libpq).
final class SQLDriver: PassdbDriver, UserdbDriver {
    let config: SQLConfig
    private let database: any SQLConnection
    private let pool: BlockingPool

    init(configPath: String, pool: BlockingPool) throws {
        guard !configPath.isEmpty else { throw ConfigError("driver = sql needs args = PATH to a dovecot-sql.conf.ext file") }
        config = try SQLConfig(file: configPath)
        switch config.driver {
        case "mysql": database = try MySQLConnection(connect: ConnectString(config.connect))
        case "pgsql": database = PostgreSQLConnection(conninfo: config.connect)
        default: database = SQLiteDatabase(path: config.connect)
        }
        self.pool = pool
    }

    private func rows(_ template: String, _ context: LookupContext) async throws -> [[String: String]] {
        let database = database
        let sql = try context.expander(escaping: { database.escape($0) }).expand(template)
        return try await pool.run { try database.query(sql) }
    }

    func lookup(_ context: LookupContext) async throws -> PassdbEntry? {
        guard !config.passwordQuery.isEmpty else { throw AuthBackendError(driver: "sql", "password_query is not set") }
        let result = try await rows(config.passwordQuery, context)
        guard var fields = result.first else { return nil }
        guard result.count == 1 else {
            throw AuthBackendError(driver: "sql", "password_query returned \(result.count) rows for one user")
        }
        let password = fields.removeValue(forKey: "password")
        return PassdbEntry(password: password, defaultScheme: config.defaultPassScheme, fields: fields)
    }

    func lookup(_ context: LookupContext) async throws -> UserdbLookup {
        guard !config.userQuery.isEmpty else { throw AuthBackendError(driver: "sql", "user_query is not set") }
        let result = try await rows(config.userQuery, context)
        guard let fields = result.first else { return .notFound }
        guard result.count == 1 else {
            throw AuthBackendError(driver: "sql", "user_query returned \(result.count) rows for one user")
        }
        return .found(fields)
    }

    func iterate() async throws -> [String] {
        guard !config.iterateQuery.isEmpty else { return [] }
        let database = database
        let sql = config.iterateQuery
        let result = try await pool.run { try database.query(sql) }
        return result.compactMap { row in
            if let user = row["user"] { return user }
            guard let name = row["username"] else { return nil }
            if let domain = row["domain"], !domain.isEmpty { return "\(name)@\(domain)" }
            return name
        }
    }
}
