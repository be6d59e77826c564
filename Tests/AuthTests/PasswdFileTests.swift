import Foundation
import Testing

@testable import Auth

@Suite struct PasswdFileTests {
    @Test func parsesDovecotColumnsAndExtraFields() {
        let record = PasswdRecord(
            line: "jane@example.com:{PLAIN}pw:1000:1000:Jane Doe:/home/jane:/bin/false:userdb_mail=obox:%u userdb_quota_rule=*:storage=1G nopassword")
        #expect(record?.user == "jane@example.com")
        #expect(record?.password == "{PLAIN}pw")
        #expect(record?.userdbColumns == ["uid": "1000", "gid": "1000", "home": "/home/jane"])
        #expect(record?.extraFields == ["userdb_mail": "obox:%u", "userdb_quota_rule": "*:storage=1G", "nopassword": ""])
        #expect(PasswdRecord(line: "# comment") == nil)
        #expect(PasswdRecord(line: "   ") == nil)
        #expect(PasswdRecord(line: "bob:x")?.userdbColumns == [:])
    }

    @Test func authenticatesAndReturnsUserdbFields() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "passwd",
            """
            jane@example.com:\(Fixture.sha512crypt)::::/var/vmail/example.com/jane::userdb_quota_rule=*:storage=2G
            bob@example.com:\(Fixture.bareSha512crypt):::::
            """)
        let auth = try makeAuthenticator(
            """
            \(block("passdb", "driver = passwd-file", "args = \(file)"))
            \(block("userdb", "driver = passwd-file", "args = \(file)"))
            auth_failure_delay = 0
            """)
        let jane = try #require(await auth.authenticate(user: "Jane@Example.com", password: "secret123", service: "imap").success)
        #expect(jane.user == "jane@example.com")
        #expect(jane.userdb.home == "/var/vmail/example.com/jane")
        #expect(jane.userdb.quotaRule == "*:storage=2G")
        // No {SCHEME}: passwd-file's default CRYPT verifies any crypt(3) hash.
        #expect(await auth.authenticate(user: "bob@example.com", password: "secret123", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "bob@example.com", password: "wrong", service: "imap").failureReason == .passwordMismatch)
        #expect(await auth.authenticate(user: "nobody@example.com", password: "secret123", service: "imap").failureReason == .unknownUser)
        #expect(try await auth.iterateUsers() == ["bob@example.com", "jane@example.com"])
        #expect(try await auth.lookupUser("jane@example.com")?.home == "/var/vmail/example.com/jane")
        #expect(try await auth.lookupUser("nobody@example.com") == nil)
    }

    @Test func pathVariablesAndUsernameFormatSelectPerDomainFiles() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("example.com/passwd", "jane:{PLAIN}one\n")
        try directory.write("example.org/passwd", "jane:{PLAIN}two\n")
        let auth = try makeAuthenticator(
            """
            \(block("passdb", "driver = passwd-file", "args = scheme=PLAIN username_format=%n \(directory.path)/%d/passwd"))
            \(block("userdb", "driver = static", "args = home=/var/vmail/%d/%n allow_all_users=yes"))
            auth_failure_delay = 0
            """)
        #expect(await auth.authenticate(user: "jane@example.com", password: "one", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "jane@example.org", password: "two", service: "imap").success?.userdb.home == "/var/vmail/example.org/jane")
        #expect(!(await auth.authenticate(user: "jane@example.org", password: "one", service: "imap").isSuccess))
        #expect(!(await auth.authenticate(user: "jane@example.net", password: "one", service: "imap").isSuccess))
    }

    @Test func reloadsWhenTheFileChanges() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("passwd", "jane:{PLAIN}old\n")
        let cache = PasswdFileCache(pool: .auth)
        #expect(try await cache.users(at: file)["jane"]?.password == "{PLAIN}old")
        #expect(try await cache.users(at: file)["jane"]?.password == "{PLAIN}old")
        #expect(await cache.reads == 1)
        try directory.write("passwd", "jane:{PLAIN}newer\nbob:{PLAIN}x\n")
        #expect(try await cache.users(at: file)["jane"]?.password == "{PLAIN}newer")
        #expect(await cache.reads == 2)
        try FileManager.default.removeItem(atPath: file)
        #expect(try await cache.users(at: file).isEmpty)
    }
}
