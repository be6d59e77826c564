import Config
import Foundation

@testable import Auth

/// A registry with only the auth settings, as the server registers them.
let authRegistry: SettingsRegistry = {
    var registry = SettingsRegistry()
    AuthSettings.register(in: &registry)
    return registry
}()

/// A clock that records the delays asked for and advances by them instead of sleeping.
final class RecordingClock: AuthClock, @unchecked Sendable {
    private let lock = NSLock()
    private var time = 1000.0
    private var recorded: [Double] = []

    func now() -> Double { lock.withLock { time } }

    func sleep(seconds: Double) async {
        lock.withLock {
            recorded.append(seconds)
            time += seconds
        }
    }

    func advance(_ seconds: Double) { lock.withLock { time += seconds } }

    var sleeps: [Double] { lock.withLock { recorded } }

    func clear() { lock.withLock { recorded.removeAll() } }
}

/// A scratch directory removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "objectmail-auth-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

/// An authenticator from configuration text; failure delay off unless the text sets it.
func makeAuthenticator(_ config: String, clock: RecordingClock = RecordingClock()) throws -> Authenticator {
    let settings = try authRegistry.load(text: config)
    return try Authenticator(settings: settings, clock: clock)
}

extension AuthResult {
    var success: AuthSuccess? { if case .success(let value) = self { return value } else { return nil } }
    var failureReason: AuthFailureReason? { if case .failure(let reason) = self { return reason } else { return nil } }
}

/// Hashes for "secret123" made once by openssl passwd -6 and mkpasswd.
enum Fixture {
    static let sha512crypt = "{SHA512-CRYPT}$6$saltsalt12$o0H/vlnD7nqKW6G.6x9.qcMtzTmDGSRTNwX/0ky0qovft2rIBKOO.U0vspGpSNvlgNqRf0bMftC96y4PtCnBv."
    static let bareSha512crypt = "$6$fCvoIl.THu8Hg7f4$wlQhGmfEYpo5buN6XmGnDZvQGzxvT9x5DJ6Q3iorGMAMsOu8fTny5NfBCNZzcMEJtBnhKirLAtrMFulaB7Cy//"
    static let ssha = "{SSHA}ebZxVltufeKjjyGh+MtvLa+w+8ryPud8"
}

/// A `passdb { }` or `userdb { }` block for configuration text.
func block(_ type: String, _ settings: String...) -> String {
    "\(type) {\n" + settings.map { "  \($0)\n" }.joined() + "}"
}

/// What a child process printed and how it ended.
struct ToolRun {
    var status: Int32
    var output: String
    var errors: String
}

/// Runs a program to completion, feeding it `stdin`.
func runTool(_ path: String, _ arguments: [String], stdin: String? = nil) throws -> ToolRun {
    let tool = Process()
    tool.executableURL = URL(fileURLWithPath: path)
    tool.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    let input = Pipe()
    tool.standardOutput = output
    tool.standardError = errors
    tool.standardInput = input
    try tool.run()
    // A tool that exits early (a client that could not connect yet) closes the pipe: that is its answer, not ours.
    if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    // Small outputs only (pipes hold 64 KiB): read errors after output.
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    let complaints = errors.fileHandleForReading.readDataToEndOfFile()
    tool.waitUntilExit()
    return ToolRun(
        status: tool.terminationStatus, output: String(decoding: printed, as: UTF8.self),
        errors: String(decoding: complaints, as: UTF8.self))
}

/// Runs a setup tool that must succeed.
func runSetupTool(_ path: String, _ arguments: [String], stdin: String? = nil) throws {
    let run = try runTool(path, arguments, stdin: stdin)
    guard run.status == 0 else {
        throw AuthBackendError(driver: "test", "\(path) exited with \(run.status): \(run.errors)")
    }
}

/// passdb and userdb both `driver = sql` with one dovecot-sql.conf.ext, no failure delay.
func makeSQLAuthenticator(_ sqlConf: String) throws -> Authenticator {
    try makeAuthenticator(
        """
        auth_failure_delay = 0
        \(block("passdb", "driver = sql", "args = \(sqlConf)"))
        \(block("userdb", "driver = sql", "args = \(sqlConf)"))
        """)
}
