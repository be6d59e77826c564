import Foundation
import Testing

@testable import Auth

@Suite struct AuthenticatorTests {
    let directory: TemporaryDirectory
    let users: String
    let masters: String

    init() throws {
        directory = try TemporaryDirectory()
        users = try directory.write(
            "users",
            """
            jane@example.com:\(Fixture.sha512crypt)::::/home/jane::userdb_mail=obox:%u
            locked@example.com:{PLAIN}pw:::::: nologin
            proxied@example.com::::::: nopassword allow_nets=127.0.0.0/8,::1
            """)
        masters = try directory.write("masters", "admin:{PLAIN}masterpw\n")
    }

    private func chained(_ extra: String = "", master: String = "pass = yes") throws -> (Authenticator, RecordingClock) {
        let clock = RecordingClock()
        let auth = try makeAuthenticator(
            """
            auth_master_user_separator = *
            auth_failure_delay = 0
            \(extra)
            \(block("passdb", "driver = passwd-file", "args = \(masters)", "master = yes", "\(master)"))
            \(block("passdb", "driver = passwd-file", "args = \(users)"))
            \(block("passdb", "driver = static", "args = password=fallback"))
            \(block("userdb", "driver = prefetch"))
            \(block("userdb", "driver = passwd-file", "args = \(users)", "default_fields = quota_rule=*:storage=1G"))
            """, clock: clock)
        return (auth, clock)
    }

    @Test func passdbsAreTriedInOrderAndPrefetchGivesUserdbFields() async throws {
        let (auth, _) = try chained()
        let jane = try #require(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").success)
        #expect(jane.userdb.mail == "obox:jane@example.com")
        // The static passdb after passwd-file takes anyone with its password; userdb passwd-file then does not know them.
        #expect(await auth.authenticate(user: "ghost@example.com", password: "fallback", service: "imap").failureReason == .unknownInUserdb)
        // A wrong password in the first passdb continues to the next (result_failure = continue).
        let fallback = await auth.authenticate(user: "jane@example.com", password: "fallback", service: "imap")
        #expect(fallback.success?.userdb.home == "/home/jane")
        #expect(fallback.success?.userdb.quotaRule == "*:storage=1G")
    }

    @Test func nologinAndAllowNets() async throws {
        let (auth, _) = try chained()
        #expect(await auth.authenticate(user: "locked@example.com", password: "pw", service: "imap").failureReason == .loginDisabled)
        #expect(await auth.authenticate(user: "proxied@example.com", password: "anything", service: "imap", remoteIP: "127.0.0.5").isSuccess)
        #expect(await auth.authenticate(user: "proxied@example.com", password: "anything", service: "imap", remoteIP: "::ffff:127.0.0.1").isSuccess)
        #expect(await auth.authenticate(user: "proxied@example.com", password: "anything", service: "imap", remoteIP: "::1").isSuccess)
        #expect(!(await auth.authenticate(user: "proxied@example.com", password: "anything", service: "imap", remoteIP: "192.0.2.1").isSuccess))
        #expect(!(await auth.authenticate(user: "proxied@example.com", password: "anything", service: "imap").isSuccess))
    }

    @Test func masterUserLogsInAsAnotherUser() async throws {
        let (auth, _) = try chained()
        let login = try #require(await auth.authenticate(user: "jane@example.com*admin", password: "masterpw", service: "imap").success)
        #expect(login.user == "jane@example.com")
        #expect(login.masterUser == "admin")
        #expect(login.userdb.home == "/home/jane")
        // The master's password, not the user's; and with pass = yes the target must exist.
        #expect(!(await auth.authenticate(user: "jane@example.com*admin", password: "secret123", service: "imap").isSuccess))
        #expect(!(await auth.authenticate(user: "jane@example.com*nobody", password: "masterpw", service: "imap").isSuccess))
        #expect(!(await auth.authenticate(user: "admin", password: "masterpw", service: "imap").isSuccess), "master passdbs are not for normal logins")
    }

    @Test func masterWithoutPassGoesStraightToTheUserdb() async throws {
        let (auth, _) = try chained(master: "pass = no")
        // ghost is in no normal passdb; without pass = yes only the userdb decides, and it does not know ghost.
        #expect(await auth.authenticate(user: "ghost@example.com*admin", password: "masterpw", service: "imap").failureReason == .unknownInUserdb)
        let login = try #require(await auth.authenticate(user: "jane@example.com*admin", password: "masterpw", service: "imap").success)
        #expect(login.masterUser == "admin")
        #expect(login.userdb.home == "/home/jane")
    }

    @Test func withoutSeparatorThereAreNoMasterLogins() async throws {
        let auth = try makeAuthenticator(
            """
            auth_failure_delay = 0
            \(block("passdb", "driver = passwd-file", "args = \(masters)", "master = yes"))
            \(block("passdb", "driver = passwd-file", "args = \(users)"))
            \(block("userdb", "driver = static", "args = allow_all_users=yes"))
            """)
        #expect(!(await auth.authenticate(user: "jane@example.com*admin", password: "masterpw", service: "imap").isSuccess))
    }

    @Test func usernameFormatAndDefaultRealm() async throws {
        let (auth, _) = try chained("auth_default_realm = example.com")
        #expect(await auth.authenticate(user: "JANE", password: "secret123", service: "imap").success?.user == "jane@example.com")
        let (plain, _) = try chained("auth_username_format = %Ln")
        // %Ln drops the domain: "jane" is not in the file, so only the static fallback matches.
        #expect(await plain.authenticate(user: "Jane@Example.com", password: "secret123", service: "imap").failureReason == .passwordMismatch)
    }

    @Test func resultActionsSkipAndDeny() async throws {
        let denied = try directory.write("denied", "jane@example.com::\n")
        let auth = try makeAuthenticator(
            """
            auth_failure_delay = 0
            \(block("passdb", "driver = passwd-file", "args = \(denied)", "deny = yes"))
            \(block("passdb", "driver = passwd-file", "args = \(users)", "result_success = continue-ok"))
            \(block("passdb", "driver = static", "args = password=other extra=from-static", "skip = authenticated"))
            \(block("userdb", "driver = static", "args = allow_all_users=yes"))
            """)
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").failureReason == .denied)
        #expect(await auth.authenticate(user: "ghost", password: "other", service: "imap").success?.passdbFields["extra"] == "from-static")
        #expect(await auth.authenticate(user: "locked@example.com", password: "other", service: "imap").isSuccess)
    }

    @Test func staticUserdbWithoutAllowAllUsersAsksThePassdb() async throws {
        let auth = try makeAuthenticator(
            """
            \(block("passdb", "driver = passwd-file", "args = \(users)"))
            \(block("userdb", "driver = static", "args = uid=vmail gid=vmail home=/var/vmail/%d/%n"))
            """)
        #expect(try await auth.lookupUser("jane@example.com")?.home == "/var/vmail/example.com/jane")
        #expect(try await auth.lookupUser("ghost@example.com") == nil)
        let lookup = try #require(try await auth.lookupPassdb("jane@example.com"))
        #expect(lookup.fields["password"] == Fixture.sha512crypt)
    }

    @Test func cacheAnswersRepeatsWithoutTheDriver() async throws {
        let (auth, clock) = try chained(
            """
            auth_cache_size = 1M
            auth_cache_ttl = 1 hour
            auth_cache_negative_ttl = 1 min
            """)
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").isSuccess)
        let afterFirst = auth.passdbLookupCount
        for _ in 0..<5 {
            #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").isSuccess)
        }
        #expect(auth.passdbLookupCount == afterFirst)
        // A different password is a different entry: it is checked, and the failure is cached too.
        #expect(!(await auth.authenticate(user: "jane@example.com", password: "wrong", service: "imap").isSuccess))
        let afterWrong = auth.passdbLookupCount
        #expect(afterWrong > afterFirst)
        #expect(!(await auth.authenticate(user: "jane@example.com", password: "wrong", service: "imap").isSuccess))
        #expect(auth.passdbLookupCount == afterWrong)
        // The negative entry expires after a minute, the positive one after an hour.
        clock.advance(120)
        #expect(!(await auth.authenticate(user: "jane@example.com", password: "wrong", service: "imap").isSuccess))
        #expect(auth.passdbLookupCount > afterWrong)
        let beforeExpiry = auth.passdbLookupCount
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").isSuccess)
        #expect(auth.passdbLookupCount == beforeExpiry)
        clock.advance(3600)
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap").isSuccess)
        #expect(auth.passdbLookupCount > beforeExpiry)
    }

    @Test func cacheEvictsLeastRecentlyUsed() async {
        let cache = AuthCache(capacity: 1000, ttl: 60, negativeTTL: 60)
        for index in 0..<50 {
            await cache.store(.failure(.passwordMismatch), for: "user\(index)", now: 0)
        }
        #expect(await cache.count < 10)
        #expect(await cache.lookup("user49", now: 1) != nil)
        #expect(await cache.lookup("user0", now: 1) == nil)
        await cache.store(.temporaryFailure("db down"), for: "t", now: 0)
        #expect(await cache.lookup("t", now: 1) == nil)
    }

    @Test func penaltyGrowsPerIPAndResetsOnSuccess() async throws {
        let (auth, clock) = try chained("auth_failure_delay = 2 secs")
        for _ in 0..<6 {
            _ = await auth.authenticate(user: "jane@example.com", password: "wrong", service: "imap", remoteIP: "192.0.2.7")
        }
        // Each failure waits auth_failure_delay (2 s); each attempt after n failures first waits 2^n s, at most 15 s.
        #expect(clock.sleeps == [2, 2, 2, 4, 2, 8, 2, 15, 2, 15, 2])
        clock.clear()
        // Another IP is not slowed down.
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap", remoteIP: "192.0.2.8").isSuccess)
        #expect(clock.sleeps == [])
        // The penalised IP waits once more, then a success clears its record.
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "imap", remoteIP: "192.0.2.7").isSuccess)
        #expect(clock.sleeps == [15])
        clock.clear()
        _ = await auth.authenticate(user: "jane@example.com", password: "wrong", service: "imap", remoteIP: "192.0.2.7")
        #expect(clock.sleeps == [2])
        #expect(AuthPenalty.delay(forFailures: 0) == 0)
        #expect(AuthPenalty.delay(forFailures: 100) == 15)
    }

    @Test func unknownUserCostsAHashVerification() async throws {
        // An unknown user goes through one (dummy) SHA512-CRYPT verification, exactly like a wrong password.
        let auth = try makeAuthenticator(
            """
            auth_failure_delay = 0
            \(block("passdb", "driver = passwd-file", "args = \(users)"))
            \(block("userdb", "driver = static", "args = allow_all_users=yes"))
            """)
        #expect(await auth.authenticate(user: "nobody@example.org", password: "x", service: "pop3").failureReason == .unknownUser)
        #expect(auth.passwordVerificationCount == 1)
        #expect(await auth.authenticate(user: "jane@example.com", password: "x", service: "pop3").failureReason == .passwordMismatch)
        #expect(auth.passwordVerificationCount == 2)
        #expect(await auth.authenticate(user: "jane@example.com", password: "secret123", service: "pop3").isSuccess)
        #expect(auth.passwordVerificationCount == 3)
    }

    @Test func templatesSeeWhereTheLoginComesFrom() async throws {
        let auth = try makeAuthenticator(
            """
            auth_failure_delay = 0
            \(block("passdb", "driver = static", "args = nopassword", "override_fields = via=%s/%r/%l/%{secured}"))
            \(block("userdb", "driver = static", "args = allow_all_users=yes"))
            """)
        let login = await auth.authenticate(user: "u", password: "x", service: "pop3", remoteIP: "192.0.2.9", localIP: "192.0.2.1", secured: true)
        #expect(login.success?.passdbFields["via"] == "pop3/192.0.2.9/192.0.2.1/secured")
    }

    @Test func configurationErrors() throws {
        #expect(throws: (any Error).self) { try makeAuthenticator("userdb {\n driver = static\n}") }
        #expect(throws: (any Error).self) { try makeAuthenticator("passdb {\n driver = ldap\n}\nuserdb {\n driver = static\n}") }
        #expect(throws: (any Error).self) { try makeAuthenticator("passdb {\n driver = passwd-file\n}\nuserdb {\n driver = static\n}") }
    }
}
