import Foundation
import Testing

@testable import Auth

@Suite(.serialized)
struct LDAPDriverTests {
    @Test func escaping() {
        #expect(LDAPEscaping.filter("a*(b)\\") == "a\\2a\\28b\\29\\5c")
        #expect(LDAPEscaping.dnValue("Doe, Jane+x") == "Doe\\, Jane\\+x")
        #expect(
            AttributeMapping.parse("uid=user,userPassword=password,=mail=obox:%{ldap:uid}") == [
                AttributeMapping(attribute: "uid", field: "user", template: nil),
                AttributeMapping(attribute: "userPassword", field: "password", template: nil),
                AttributeMapping(attribute: "", field: "mail", template: "obox:%{ldap:uid}")
            ])
    }

    private func authenticator(_ server: SlapdServer, _ ldapConf: String) throws -> Authenticator {
        let path = try server.directory.write("dovecot-ldap.conf.ext", "uris = \(server.uri)\n" + ldapConf)
        return try makeAuthenticator(
            """
            auth_failure_delay = 0
            \(block("passdb", "driver = ldap", "args = \(path)"))
            \(block("userdb", "driver = ldap", "args = \(path)", "override_fields = uid=vmail gid=vmail"))
            """)
    }

    /// The RHEL seed (004): auth binds with a DN template, users under ou=People, scope onelevel.
    @Test func authBindWithUserDNTemplate() async throws {
        let server = try SlapdServer()
        let auth = try authenticator(
            server,
            """
            auth_bind = yes
            auth_bind_userdn = uid=%n,ou=People,dc=example,dc=com
            base = ou=People,dc=example,dc=com
            scope = onelevel
            user_filter = (&(objectClass=posixAccount)(uid=%n))
            user_attrs = homeDirectory=home,=mail=obox:%{ldap:uid}
            iterate_filter = (objectClass=posixAccount)
            """)
        let jane = try #require(await auth.authenticate(user: "jane", password: "secret123", service: "imap").success)
        #expect(jane.userdb.home == "/var/vmail/jane")
        #expect(jane.userdb.mail == "obox:jane")
        #expect(jane.userdb.fields["uid"] == "vmail")
        #expect(await auth.authenticate(user: "jane", password: "wrong", service: "imap").failureReason == .passwordMismatch)
        #expect(
            await auth.authenticate(user: "jane", password: "", service: "imap").failureReason == .passwordMismatch,
            "an empty password must not become an unauthenticated bind")
        // slapd answers a bind to a missing DN with invalidCredentials, so it cannot be told from a wrong password.
        #expect(await auth.authenticate(user: "nobody", password: "secret123", service: "imap").failureReason == .passwordMismatch)
        #expect(try await auth.iterateUsers().sorted() == ["bob", "jane", "o*brien"])
        #expect(try await auth.lookupUser("nobody") == nil)
    }

    /// The seed's other variant: find the DN with a service account and pass_filter, then bind as it.
    @Test func authBindAfterSearch() async throws {
        let server = try SlapdServer()
        let auth = try authenticator(
            server,
            """
            dn = cn=dovecot,dc=example,dc=com
            dnpass = dovecotpw
            auth_bind = yes
            base = dc=example,dc=com
            pass_filter = (&(objectClass=posixAccount)(uid=%n))
            user_filter = (&(objectClass=posixAccount)(uid=%n))
            """)
        #expect(await auth.authenticate(user: "jane", password: "secret123", service: "imap").success?.userdb.home == "/var/vmail/jane")
        #expect(await auth.authenticate(user: "jane", password: "nope", service: "imap").failureReason == .passwordMismatch)
        // A filter wildcard in the name is escaped: "o*brien" matches only itself, "*" matches nobody.
        #expect(await auth.authenticate(user: "o*brien", password: "irish", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "*", password: "irish", service: "imap").failureReason == .unknownUser)
    }

    /// Without auth_bind the hash is read (as cn=dovecot) and verified here, as Dovecot does.
    @Test func passwordAttributeLookup() async throws {
        let server = try SlapdServer()
        let auth = try authenticator(
            server,
            """
            dn = cn=dovecot,dc=example,dc=com
            dnpass = dovecotpw
            base = ou=People,dc=example,dc=com
            pass_attrs = uid=user,userPassword=password
            default_pass_scheme = PLAIN
            """)
        #expect(await auth.authenticate(user: "jane", password: "secret123", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "bob", password: "secret123", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "o*brien", password: "irish", service: "imap").isSuccess)
        #expect(await auth.authenticate(user: "bob", password: "x", service: "imap").failureReason == .passwordMismatch)
        let lookup = try #require(try await auth.lookupPassdb("jane"))
        #expect(lookup.fields["password"] == SlapdServer.janePassword)
    }

    /// STARTTLS with tls_require_cert = hard, as the RHEL seed asks: the CA file makes it work, without it nothing does.
    @Test func startTLSVerifiesTheServerCertificate() async throws {
        let server = try SlapdServer()
        let settings = """
            tls = yes
            tls_require_cert = hard
            auth_bind = yes
            auth_bind_userdn = uid=%n,ou=People,dc=example,dc=com
            base = ou=People,dc=example,dc=com
            """
        let trusting = try authenticator(server, settings + "\ntls_ca_cert_file = \(server.certificate)\n")
        #expect(await trusting.authenticate(user: "jane", password: "secret123", service: "imap").isSuccess)
        let distrusting = try authenticator(server, settings + "\ntls_ca_cert_file = /etc/ssl/certs/ca-certificates.crt\n")
        guard case .temporaryFailure = await distrusting.authenticate(user: "jane", password: "secret123", service: "imap") else {
            Issue.record("an unverifiable certificate must not be accepted")
            return
        }
    }

    @Test func wrongServiceCredentialsAreATemporaryFailure() async throws {
        let server = try SlapdServer()
        let auth = try authenticator(
            server,
            """
            dn = cn=dovecot,dc=example,dc=com
            dnpass = not-the-password
            base = ou=People,dc=example,dc=com
            """)
        guard case .temporaryFailure(let message) = await auth.authenticate(user: "jane", password: "secret123", service: "imap") else {
            Issue.record("expected a temporary failure")
            return
        }
        #expect(!message.contains("not-the-password"))
    }
}
