import Foundation
import Testing

@testable import Auth

@Suite(.serialized)
struct PostgreSQLDriverTests {
    /// The seeds' queries (001/004) against a real PostgreSQL, reached over TCP with a password.
    @Test func seedQueriesAgainstARealPostgreSQL() async throws {
        let server = try PostgreSQLServer()
        try server.sql(
            """
            CREATE ROLE mailuser LOGIN PASSWORD 'mail pw';
            CREATE DATABASE mailserver OWNER mailuser;
            """)
        try server.sql(
            """
            CREATE TABLE users (username TEXT, domain TEXT, password TEXT, home TEXT, quota TEXT);
            INSERT INTO users VALUES ('jane', 'example.com', '\(Fixture.sha512crypt)', '/var/vmail/example.com/jane', '*:storage=1G');
            INSERT INTO users VALUES ('o''brien', 'example.com', '{PLAIN}irish', NULL, NULL);
            INSERT INTO users VALUES ('back\\slash', 'example.com', '{PLAIN}bs', NULL, NULL);
            GRANT SELECT ON users TO mailuser;
            """, database: "mailserver")
        let sqlConf = try server.directory.write(
            "dovecot-sql.conf.ext",
            """
            driver = pgsql
            connect = host=127.0.0.1 port=\(server.port) dbname=mailserver user=mailuser password='mail pw'
            default_pass_scheme = SHA512-CRYPT
            password_query = SELECT username, domain, password FROM users WHERE username = '%n' AND domain = '%d'
            user_query = SELECT home, quota AS quota_rule FROM users WHERE username = '%n' AND domain = '%d'
            iterate_query = SELECT username, domain FROM users
            """)
        let auth = try makeSQLAuthenticator(sqlConf)
        let jane = try #require(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").success)
        #expect(jane.userdb.home == "/var/vmail/example.com/jane")
        #expect(jane.userdb.quotaRule == "*:storage=1G")
        #expect(await auth.authenticate(user: "jane@example.com", password: "nope", service: "imap").failureReason == .passwordMismatch)
        #expect(await auth.authenticate(user: "o'brien@example.com", password: "irish", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "back\\slash@example.com", password: "bs", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "x' OR '1'='1@example.com", password: "irish", service: "imap").failureReason == .unknownUser)
        #expect(try await auth.iterateUsers().sorted() == ["back\\slash@example.com", "jane@example.com", "o'brien@example.com"])

        // A dropped connection is reopened.
        try server.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'mailuser';")
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").isSuccess)
    }
}
