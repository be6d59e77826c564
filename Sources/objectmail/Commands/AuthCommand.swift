import ArgumentParser
import Auth
import Config
import Foundation

/// sysexits codes doveadm uses for auth results.
enum AuthExitCode {
    static let failed: Int32 = 77 // EX_NOPERM
    static let temporaryFailure: Int32 = 75 // EX_TEMPFAIL
    static let noUser: Int32 = 67 // EX_NOUSER
}

/// Options shared by the auth commands: the configuration and the login's service.
struct AuthOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .customLong("service"), help: "The service the lookup is for (%s in templates).")
    var service = "doveadm"

    func authenticator() throws -> Authenticator {
        let settings = try config.load()
        do {
            return try Authenticator(settings: settings)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("objectmail: Fatal: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Runs a command body; a backend that cannot answer exits with EX_TEMPFAIL.
    func withAuthenticator(_ body: (Authenticator) async throws -> Void) async throws {
        let authenticator = try authenticator()
        do {
            try await body(authenticator)
        } catch let error as AuthBackendError {
            FileHandle.standardError.write(Data("objectmail: Error: \(error)\n".utf8))
            throw ExitCode(AuthExitCode.temporaryFailure)
        }
    }
}

/// `objectmail auth test|lookup`, like doveadm auth.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Test logins and look users up in the passdbs (like doveadm auth).",
        subcommands: [AuthTestCommand.self, AuthLookupCommand.self]
    )
}

struct AuthTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Authenticate USER as a login would. Exit 0 on success, 77 on failure, 75 on a temporary failure."
    )

    @OptionGroup var options: AuthOptions

    @Option(name: .customLong("remote-ip"), help: "The client address (%r, allow_nets, penalties).")
    var remoteIP: String?

    @Argument var user: String
    @Argument(help: "The password; asked for when missing.") var password: String?

    func run() async throws {
        let authenticator = try options.authenticator()
        let secret = try password ?? PasswordPrompt.read(confirm: false)
        let result = await authenticator.authenticate(user: user, password: secret, service: options.service, remoteIP: remoteIP)
        switch result {
        case .success(let success):
            print("passdb: \(user) auth succeeded")
            print("extra fields:")
            print("  user=\(success.user)")
            if let master = success.masterUser { print("  master_user=\(master)") }
            for (key, value) in success.passdbFields.sorted(by: { $0.key < $1.key }) {
                print(value.isEmpty ? "  \(key)" : "  \(key)=\(value)")
            }
            print("userdb fields:")
            for (key, value) in success.userdb.fields.sorted(by: { $0.key < $1.key }) { print("  \(key)=\(value)") }
        case .failure:
            print("passdb: \(user) auth failed")
            throw ExitCode(AuthExitCode.failed)
        case .temporaryFailure(let message):
            print("passdb: \(user) auth temporarily failed: \(message)")
            throw ExitCode(AuthExitCode.temporaryFailure)
        }
    }
}

struct AuthLookupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Print what the passdbs return for USER (no password check). Exit 67 when unknown."
    )

    @OptionGroup var options: AuthOptions

    @Argument var user: String

    func run() async throws {
        try await options.withAuthenticator { authenticator in
            guard let found = try await authenticator.lookupPassdb(user, service: options.service) else {
                print("passdb: \(user) not found")
                throw ExitCode(AuthExitCode.noUser)
            }
            print("passdb: \(user)")
            print("  user      : \(found.user)")
            for (key, value) in found.fields.sorted(by: { $0.key < $1.key }) where key != "user" {
                print("  \(key.padding(toLength: max(10, key.count), withPad: " ", startingAt: 0)): \(value)")
            }
        }
    }
}

/// `objectmail user USER…|-A`, like doveadm user: userdb lookups and iteration.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Look users up in the userdbs, or list them all with -A (like doveadm user). Exit 67 when a user is unknown."
    )

    @OptionGroup var options: AuthOptions

    @Flag(name: .customShort("A"), help: "List every user the userdbs can iterate.")
    var all = false

    @Argument var users: [String] = []

    func validate() throws {
        if all == !users.isEmpty { throw ValidationError("Give user names or -A, not both") }
    }

    func run() async throws {
        try await options.withAuthenticator { authenticator in
            if all {
                for user in try await authenticator.iterateUsers() { print(user) }
                return
            }
            var missing = false
            for name in users {
                guard let record = try await authenticator.lookupUser(name, service: options.service) else {
                    FileHandle.standardError.write(Data("userdb lookup: user \(name) doesn't exist\n".utf8))
                    missing = true
                    continue
                }
                if users.count > 1 { print("userdb: \(name)") }
                print("field\tvalue")
                print("user\t\(record.user)")
                for (key, value) in record.fields.sorted(by: { $0.key < $1.key }) { print("\(key)\t\(value)") }
            }
            if missing { throw ExitCode(AuthExitCode.noUser) }
        }
    }
}
