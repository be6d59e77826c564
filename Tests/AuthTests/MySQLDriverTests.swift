import Foundation
import Testing

@testable import Auth

@Suite(.serialized)
struct MySQLDriverTests {
    @Test func connectStringParsing() {
        let connect = ConnectString("host=127.0.0.1 dbname=mailserver user=mailuser password=\"a b\" port=3306")
        #expect(connect.values == ["host": "127.0.0.1", "dbname": "mailserver", "user": "mailuser", "password": "a b", "port": "3306"])
    }

    @Test func escapingMatchesMysqlRealEscapeString() throws {
        let connection = try MySQLConnection(connect: ConnectString("host=x dbname=y"))
        #expect(connection.escape("o'brien\\\"\n\r\0\u{1A}é") == "o\\'brien\\\\\\\"\\n\\r\\0\\Zé")
    }

    /// The seeds' MySQL setup (001: password_query by username and domain; 004: user/iterate queries) against a real MariaDB.
    @Test func seedQueriesAgainstARealMariaDB() async throws {
        let server = try MariaDBServer()
        try server.sql(
            """
            CREATE DATABASE mailserver;
            CREATE USER 'mailuser'@'127.0.0.1' IDENTIFIED BY 'mail pw';
            GRANT SELECT ON mailserver.* TO 'mailuser'@'127.0.0.1';
            USE mailserver;
            CREATE TABLE users (username VARCHAR(100), domain VARCHAR(100), password VARCHAR(200), home VARCHAR(200), quota VARCHAR(50));
            INSERT INTO users VALUES ('jane', 'example.com', '\(Fixture.sha512crypt)', '/var/vmail/example.com/jane', '*:storage=1G');
            INSERT INTO users VALUES ('bob', 'example.com', '\(Fixture.bareSha512crypt)', NULL, NULL);
            INSERT INTO users VALUES ('o''brien', 'example.com', '{PLAIN}irish', NULL, NULL);
            """)
        let sqlConf = try server.directory.write(
            "dovecot-sql.conf.ext",
            """
            # Database driver: mysql, pgsql, sqlite
            driver = mysql
            connect = host=127.0.0.1 port=\(server.port) dbname=mailserver user=mailuser password="mail pw"
            default_pass_scheme = SHA512-CRYPT
            password_query = SELECT username, domain, password \\
              FROM users WHERE username = '%n' AND domain = '%d'
            user_query = SELECT home, quota AS quota_rule FROM users WHERE username = '%n' AND domain = '%d'
            iterate_query = SELECT username, domain FROM users
            """)
        let auth = try makeSQLAuthenticator(sqlConf)
        let jane = try #require(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").success)
        #expect(jane.user == "jane@example.com")
        #expect(jane.userdb.home == "/var/vmail/example.com/jane")
        #expect(jane.userdb.quotaRule == "*:storage=1G")
        #expect(await auth.authenticate(user: "bob@example.com", password: "secret123", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "bob@example.com", password: "nope", service: "imap").failureReason == .passwordMismatch)
        #expect(await auth.authenticate(user: "o'brien@example.com", password: "irish", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "x' OR '1'='1@example.com", password: "irish", service: "imap").failureReason == .unknownUser)
        #expect(try await auth.iterateUsers().sorted() == ["bob@example.com", "jane@example.com", "o'brien@example.com"])
        #expect(try await auth.lookupUser("nobody@example.com") == nil)

        // A restarted server: the driver reconnects instead of failing every later login.
        try server.sql("KILL USER mailuser")
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").isSuccess)
    }

    @Test func wrongPasswordForTheDatabaseIsATemporaryFailure() async throws {
        let server = try MariaDBServer()
        let sqlConf = try server.directory.write(
            "sql.conf",
            """
            driver = mysql
            connect = host=127.0.0.1 port=\(server.port) dbname=mysql user=root password=wrong
            password_query = SELECT password FROM users WHERE username = '%u'
            user_query = SELECT home FROM users WHERE username = '%u'
            """)
        let auth = try makeSQLAuthenticator(sqlConf)
        guard case .temporaryFailure(let message) = await auth.authenticate(user: "jane", password: "x", service: "imap") else {
            Issue.record("expected a temporary failure")
            return
        }
        #expect(!message.contains("wrong"), "the database password must not appear in errors")
    }
}
