import Config

/// A dovecot-sql.conf.ext file (see `KeyValueFile` for the syntax).
struct SQLConfig: Sendable, Equatable {
    var driver: String
    var connect: String
    var defaultPassScheme: String
    var passwordQuery: String
    var userQuery: String
    var iterateQuery: String

    /// Dovecot 2.3's built-in queries (its auth binary's defaults): a dovecot-sql.conf.ext with only driver and
    /// connect, as seed 001 has, authenticates against a `users` table.
    static let defaultPasswordQuery = "SELECT username, domain, password FROM users WHERE username = '%n' AND domain = '%d'"
    static let defaultUserQuery = "SELECT home, uid, gid FROM users WHERE username = '%n' AND domain = '%d'"
    static let defaultIterateQuery = "SELECT username, domain FROM users"

    static let knownKeys: Set<String> = ["driver", "connect", "default_pass_scheme", "password_query", "user_query", "iterate_query"]

    init(file path: String) throws {
        try self.init(values: KeyValueFile.read(path, knownKeys: Self.knownKeys), file: path)
    }

    init(text: String, file: String) throws {
        try self.init(values: KeyValueFile.parse(text, file: file, knownKeys: Self.knownKeys), file: file)
    }

    private init(values: [String: String], file: String) throws {
        driver = values["driver"] ?? ""
        connect = values["connect"] ?? ""
        // Dovecot's default for SQL passdbs.
        defaultPassScheme = values["default_pass_scheme"] ?? "MD5"
        passwordQuery = values["password_query"] ?? Self.defaultPasswordQuery
        userQuery = values["user_query"] ?? Self.defaultUserQuery
        iterateQuery = values["iterate_query"] ?? Self.defaultIterateQuery
        guard ["sqlite", "mysql", "pgsql"].contains(driver) else {
            throw ConfigError(
                driver.isEmpty
                    ? "\(file): driver is missing (sqlite, mysql or pgsql)"
                    : "\(file): SQL driver '\(driver)' is not supported by this build (sqlite, mysql, pgsql)")
        }
        guard !connect.isEmpty else { throw ConfigError("\(file): connect is missing") }
    }
}
