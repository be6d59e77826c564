import Foundation
import Testing

@testable import Auth

/// The built `objectmail` binary, found next to the test bundle (.build/debug/objectmail).
private func objectmailBinary() throws -> String {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [directory, directory.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("objectmail").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw AuthBackendError(driver: "test", "objectmail binary not found next to \(directory.path): run swift build first")
}

private func run(_ arguments: [String], stdin: String? = nil) throws -> ToolRun {
    try runTool(try objectmailBinary(), arguments, stdin: stdin)
}

@Suite struct CommandLineTests {
    @Test func pwMakesHashesThatVerify() throws {
        let made = try run(["pw", "-s", "SHA512-CRYPT", "-p", "x"])
        #expect(made.status == 0)
        let hash = made.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hash.hasPrefix("{SHA512-CRYPT}$6$"))
        #expect(try Passwords.verify("x", stored: hash))
        #expect(try run(["pw", "-t", hash, "-p", "x"]).status == 0)
        #expect(try run(["pw", "-t", hash, "-p", "y"]).status == 1)
        let fromStdin = try run(["pw", "-s", "BLF-CRYPT"], stdin: "from stdin\n")
        #expect(try Passwords.verify("from stdin", stored: fromStdin.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try run(["pw", "-s", "NOPE", "-p", "x"]).status == 2)
    }

    @Test func authTestLookupAndUser() throws {
        let directory = try TemporaryDirectory()
        let passwd = try directory.write(
            "passwd",
            """
            jane@example.com:\(Fixture.sha512crypt)::::/var/vmail/jane::userdb_quota_rule=*:storage=1G
            bob@example.com:{PLAIN}bobpw:::::
            """)
        let config = try directory.write(
            "objectmail.conf",
            """
            auth_failure_delay = 0
            \(block("passdb", "driver = passwd-file", "args = \(passwd)"))
            \(block("userdb", "driver = passwd-file", "args = \(passwd)"))
            """)
        let success = try run(["auth", "test", "-c", config, "jane@example.com", "secret123"])
        #expect(success.status == 0)
        #expect(success.output.contains("auth succeeded"))
        #expect(success.output.contains("home=/var/vmail/jane"))
        #expect(try run(["auth", "test", "-c", config, "jane@example.com", "wrong"]).status == 77)
        #expect(try run(["auth", "test", "-c", config, "nobody@example.com", "wrong"]).status == 77)
        #expect(try run(["auth", "test", "-c", config, "bob@example.com"], stdin: "bobpw\n").status == 0)

        let lookup = try run(["auth", "lookup", "-c", config, "jane@example.com"])
        #expect(lookup.status == 0 && lookup.output.contains(Fixture.sha512crypt))
        #expect(try run(["auth", "lookup", "-c", config, "nobody"]).status == 67)

        let user = try run(["user", "-c", config, "jane@example.com"])
        #expect(user.status == 0)
        #expect(user.output.contains("home\t/var/vmail/jane"))
        #expect(user.output.contains("quota_rule\t*:storage=1G"))
        #expect(try run(["user", "-c", config, "nobody@example.com"]).status == 67)
        #expect(try run(["user", "-c", config, "-A"]).output == "bob@example.com\njane@example.com\n")
    }

    @Test func badAuthConfigurationExitsWithStatus2() throws {
        let directory = try TemporaryDirectory()
        let config = try directory.write("objectmail.conf", "passdb {\n  driver = ldap\n}\nuserdb {\n  driver = static\n}\n")
        #expect(try run(["auth", "test", "-c", config, "jane", "x"]).status == 2)
    }
}
