import Config
import Testing

@testable import Auth

/// Seed 002: `service anvil { unix_listener anvil-auth-penalty { mode = 0 } }` switches Dovecot's per-IP
/// penalty off (a director in front already applies it); any other mode keeps it.
@Suite struct AuthPenaltySocketTests {
    static func authenticator(mode: String, clock: RecordingClock) throws -> Authenticator {
        var registry = authRegistry
        registry.register(
            section: SectionDefinition(
                "service", naming: .required, "Services.",
                sections: [
                    SectionDefinition(
                        "unix_listener", naming: .required, "Sockets.",
                        settings: [
                            SettingDefinition("mode", .string, default: "0600", "Mode.")
                        ])
                ]))
        let settings = try registry.load(
            text: """
                auth_failure_delay = 0
                service anvil {
                  unix_listener anvil-auth-penalty {
                    mode = \(mode)
                  }
                }
                passdb {
                  driver = static
                  args = password=right
                }
                userdb {
                  driver = static
                  args = allow_all_users=yes
                }
                """)
        return try Authenticator(settings: settings, clock: clock)
    }

    @Test(arguments: [("0", [Double]()), ("0600", [2, 4])])
    func modeZeroSwitchesThePenaltyOff(mode: String, expected: [Double]) async throws {
        let clock = RecordingClock()
        let auth = try Self.authenticator(mode: mode, clock: clock)
        for _ in 0..<3 {
            _ = await auth.authenticate(user: "jane@example.com", password: "wrong", service: "imap", remoteIP: "192.0.2.7")
        }
        #expect(clock.sleeps == expected)
    }

    @Test func mechanismsComeFromAuthMechanisms() throws {
        let settings = try authRegistry.load(
            text: """
                auth_mechanisms = login
                passdb {
                  driver = static
                  args = password=right
                }
                userdb {
                  driver = static
                  args = allow_all_users=yes
                }
                """)
        #expect(try Authenticator(settings: settings).mechanisms == ["LOGIN"])
    }
}
