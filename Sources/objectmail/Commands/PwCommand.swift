import ArgumentParser
import Auth
import Foundation
import Primitives

/// `objectmail pw`, like `doveadm pw`: make a password hash, or check one with -t.
struct PwCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pw",
        abstract: "Make a password hash for a passdb (like doveadm pw).",
        discussion: "Without -p the password is read from the terminal (twice, not echoed) or from the first line of stdin. "
            + "Exit status 1 when -t does not match."
    )

    @Option(name: .customShort("s"), help: "The scheme: SHA512-CRYPT, BLF-CRYPT, ARGON2ID, PBKDF2, SSHA512, … (-l lists them).")
    var scheme = "SHA512-CRYPT"

    @Option(name: .customShort("p"), help: "The password (visible to other users in ps: prefer the prompt).")
    var password: String?

    @Option(name: .customShort("t"), help: "Check this {SCHEME}hash against the password instead of making one.")
    var testHash: String?

    @Flag(name: .customShort("l"), help: "List the supported schemes.")
    var list = false

    func run() async throws {
        if list {
            print(Passwords.schemeNames.joined(separator: " "))
            return
        }
        let secret = try password ?? PasswordPrompt.read(confirm: testHash == nil)
        let scheme = scheme
        do {
            if let testHash {
                guard try await BlockingPool.auth.run({ try Passwords.verify(secret, stored: testHash, defaultScheme: scheme) }) else {
                    FileHandle.standardError.write(Data("objectmail: Fatal: reverse password verification check failed: Password mismatch\n".utf8))
                    throw ExitCode(1)
                }
                print("\(testHash) (verified)")
                return
            }
            print(try await BlockingPool.auth.run { try Passwords.generate(secret, scheme: scheme) })
        } catch let error as PasswordSchemeError {
            FileHandle.standardError.write(Data("objectmail: Fatal: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Reads a password without echoing it when stdin is a terminal.
enum PasswordPrompt {
    static func read(confirm: Bool) throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            guard let line = Swift.readLine(strippingNewline: true) else { throw ValidationError("No password on stdin") }
            return line
        }
        let first = try prompt("Enter new password: ")
        if confirm {
            guard try prompt("Retype new password: ") == first else { throw ValidationError("Passwords don't match!") }
        }
        guard !first.isEmpty else { throw ValidationError("Empty password") }
        return first
    }

    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else { throw ValidationError("No password given") }
        return line
    }
}
