import CSQLite
import Foundation
import Testing

@testable import Auth

/// A real SQLite database made by the test, queried with the seeds' dovecot-sql.conf.ext queries.
private func makeDatabase(at path: String) throws {
    var database: OpaquePointer?
    guard sqlite3_open(path, &database) == SQLITE_OK else { throw AuthBackendError(driver: "test", "open") }
    defer { sqlite3_close(database) }
    let statements = [
        "CREATE TABLE users (username TEXT PRIMARY KEY, domain TEXT, password TEXT, home TEXT, quota TEXT, active INTEGER)",
        "INSERT INTO users VALUES ('jane@example.com', 'example.com', '\(Fixture.sha512crypt)', '/var/vmail/example.com/jane', '*:storage=1G', 1)",
        "INSERT INTO users VALUES ('bob@example.com', 'example.com', '\(Fixture.bareSha512crypt)', NULL, NULL, 1)",
        "INSERT INTO users VALUES ('o''brien@example.com', 'example.com', '{PLAIN}irish', NULL, NULL, 1)"
    ]
    for sql in statements {
        guard sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK else {
            throw AuthBackendError(driver: "test", String(cString: sqlite3_errmsg(database)))
        }
    }
}

@Suite struct SQLDriverTests {
    @Test func parsesDovecotSqlConfWithContinuationsAndComments() throws {
        let config = try SQLConfig(
            text: """
                # Database driver: mysql, pgsql, sqlite
                driver = sqlite
                connect = /tmp/users.db
                default_pass_scheme = SHA512-CRYPT
                password_query = SELECT username AS user, password \\
                  FROM users WHERE username = '%u'
                user_query = "SELECT home FROM users WHERE username='%u'"
                """, file: "dovecot-sql.conf.ext")
        #expect(config.passwordQuery == "SELECT username AS user, password FROM users WHERE username = '%u'")
        #expect(config.userQuery == "SELECT home FROM users WHERE username='%u'")
        #expect(config.defaultPassScheme == "SHA512-CRYPT")
        #expect(throws: (any Error).self) { try SQLConfig(text: "driver = oracle\nconnect = host=x", file: "f") }
        #expect(throws: (any Error).self) { try SQLConfig(text: "driver = sqlite\nconect = x", file: "f") }
    }

    @Test func seedQueriesAuthenticateLookUpAndIterate() async throws {
        let directory = try TemporaryDirectory()
        let databasePath = directory.path + "/users.sqlite"
        try makeDatabase(at: databasePath)
        // The queries from the RHEL seed (004), with home/quota columns for the userdb.
        let sqlConf = try directory.write(
            "dovecot-sql.conf.ext",
            """
            driver = sqlite
            connect = \(databasePath)
            default_pass_scheme = SHA512-CRYPT
            user_query = SELECT username AS user, home, quota AS quota_rule FROM users WHERE username='%u';
            password_query = SELECT username AS user, password FROM users WHERE username='%u';
            iterate_query = SELECT username FROM users;
            """)
        let auth = try makeAuthenticator(
            """
            \(block("passdb", "driver = sql", "args = \(sqlConf)"))
            \(block("userdb", "driver = sql", "args = \(sqlConf)", "override_fields = mail=obox:%u"))
            auth_failure_delay = 0
            """)
        let jane = try #require(await auth.authenticate(user: "JANE@example.com", password: "secret123", service: "imap").success)
        #expect(jane.user == "jane@example.com")
        #expect(jane.userdb.home == "/var/vmail/example.com/jane")
        #expect(jane.userdb.quotaRule == "*:storage=1G")
        #expect(jane.userdb.mail == "obox:jane@example.com")
        #expect(await auth.authenticate(user: "bob@example.com", password: "secret123", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "bob@example.com", password: "x", service: "imap").failureReason == .passwordMismatch)
        // A quote in the login name is escaped, not executed.
        #expect(await auth.authenticate(user: "o'brien@example.com", password: "irish", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "x' OR '1'='1", password: "secret123", service: "imap").failureReason == .unknownUser)
        #expect(try await auth.iterateUsers().sorted() == ["bob@example.com", "jane@example.com", "o'brien@example.com"])
        #expect(try await auth.lookupUser("bob@example.com")?.fields == ["mail": "obox:bob@example.com"])
        #expect(try await auth.lookupUser("nobody@example.com") == nil)
    }

    @Test func withoutQueriesDovecotsBuiltInOnesReadAUsersTable() async throws {
        let directory = try TemporaryDirectory()
        let databasePath = directory.path + "/users.sqlite"
        var database: OpaquePointer?
        #expect(sqlite3_open(databasePath, &database) == SQLITE_OK)
        for sql in [
            "CREATE TABLE users (username TEXT, domain TEXT, password TEXT, home TEXT, uid INTEGER, gid INTEGER)",
            "INSERT INTO users VALUES ('jane', 'example.net', '{PLAIN}janepw', '/srv/mail/jane', 999, 995)"
        ] {
            #expect(sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK)
        }
        sqlite3_close(database)
        // Seed 001's dovecot-sql.conf.ext: driver and connect, nothing else.
        let sqlConf = try directory.write("dovecot-sql.conf.ext", "driver = sqlite\nconnect = \(databasePath)\n")
        let auth = try makeAuthenticator(
            """
            \(block("passdb", "driver = sql", "args = \(sqlConf)"))
            \(block("userdb", "driver = sql", "args = \(sqlConf)"))
            auth_failure_delay = 0
            """)
        let jane = try #require(await auth.authenticate(user: "jane@example.net", password: "janepw", service: "imap").success)
        #expect(jane.user == "jane@example.net")
        #expect(jane.userdb.home == "/srv/mail/jane")
        #expect(await auth.authenticate(user: "jane@example.net", password: "x", service: "imap").failureReason == .passwordMismatch)
        #expect(try await auth.iterateUsers() == ["jane@example.net"])
    }

    @Test func missingDatabaseIsATemporaryFailure() async throws {
        let directory = try TemporaryDirectory()
        let sqlConf = try directory.write(
            "sql.conf",
            """
            driver = sqlite
            connect = \(directory.path)/missing.sqlite
            password_query = SELECT password FROM users WHERE username='%u'
            user_query = SELECT home FROM users WHERE username='%u'
            """)
        let auth = try makeAuthenticator(
            """
            \(block("passdb", "driver = sql", "args = \(sqlConf)"))
            \(block("userdb", "driver = sql", "args = \(sqlConf)"))
            auth_failure_delay = 0
            """)
        guard case .temporaryFailure = await auth.authenticate(user: "jane", password: "x", service: "imap") else {
            Issue.record("expected a temporary failure")
            return
        }
        await #expect(throws: AuthBackendError.self) { try await auth.lookupUser("jane") }
    }
}
