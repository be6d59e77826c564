// DIFFERENTIAL TEST against Pigeonhole: runs Debian's /usr/bin/sieve-test (package dovecot-sieve, installed
// by scripts/test.sh) over every script in Scripts/differential and every message in Scripts/messages, and
// compares its printed actions with this interpreter's result, computed in-process.
import Foundation
import Sieve
import Testing

@Suite("Sieve differential against Pigeonhole's sieve-test")
struct DifferentialTests {
    static let sieveTest = "/usr/bin/sieve-test"
    static let sender = "sender@example.com"
    static let recipient = "bob@example.org"

    /// What one side decided: the action lines, a runtime error, or a compile error (its first message).
    enum Outcome: Equatable, CustomStringConvertible {
        case actions([String])
        case runtimeError
        case compileError(String)

        var description: String {
            switch self {
            case .actions(let l): return l.joined(separator: " | ")
            case .runtimeError: return "runtime error"
            case .compileError(let m): return "compile error: \(m)"
            }
        }
    }

    static var scriptsRoot: URL { Bundle.module.resourceURL!.appendingPathComponent("Scripts") }

    /// Known, explained differences: "script/message" → reason (kept out of the agreement count).
    static let knownDifferences: [String: String] = [
        "80-vacation-self.sieve/plain.eml": vacationChecks,
        "80-vacation-self.sieve/multipart.eml": vacationChecks,
        "80-vacation-self.sieve/list.eml": vacationChecks,
        "80-vacation-self.sieve/folded-cc.eml": vacationChecks,
        "45-matches-question.sieve/list.eml": matchesBug,
        "45-matches-question.sieve/multipart.eml": matchesBug,
        "45-matches-question.sieve/folded-cc.eml": matchesBug
    ]
    /// list.eml is list mail (List-Id, Precedence: list, Auto-Submitted): no vacation script answers it here.
    static func knownDifference(script: String, message: String) -> String? {
        if message == "list.eml" && script.contains("vacation") { return vacationChecks }
        return knownDifferences["\(script)/\(message)"]
    }

    static let vacationChecks =
        "sieve-test prints the vacation action before the checks Pigeonhole makes when it commits it (List-Id, Precedence: list, Auto-Submitted, mail from the user himself: no response); the interpreter makes them itself, so it reports none"
    static let matchesBug =
        "Pigeonhole 2.3.19 bug: a :matches pattern of `?`, a literal, then `*` matches values without the literal (`\"?xyz*\"` matches \"Hello world\"); ours follows RFC 5228"

    @Test("our actions equal sieve-test's for every script and message")
    func differential() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.sieveTest) else {
            Issue.record("\(Self.sieveTest) is missing: install Debian's dovecot-sieve (apt-get install -y dovecot-sieve; scripts/test.sh does)")
            return
        }
        let work = try Self.prepareWorkDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = try await onOwnThread { try Self.compareAll(work: work) }
        #expect(report.scripts >= 30)
        print(
            "sieve differential: \(report.agreed) of \(report.total) script/message pairs agree with sieve-test (\(report.scripts) scripts, "
                + "\(report.messages) messages); the other \(report.total - report.agreed - report.disagreements.count) are known differences")
        #expect(report.disagreements.isEmpty, "\(report.disagreements.count) disagreements:\n\(report.disagreements.joined(separator: "\n"))")
    }

    struct Report: Sendable {
        var scripts = 0, messages = 0, agreed = 0, total = 0
        var disagreements: [String] = []
    }

    /// Every script against every message, through sieve-test and ours.
    static func compareAll(work: URL) throws -> Report {
        let scripts = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("differential").path)
            .filter { $0.hasSuffix(".sieve") }.sorted()
        let messages = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("messages").path)
            .filter { $0.hasSuffix(".eml") }.sorted()
        var report = Report(scripts: scripts.count, messages: messages.count)
        for script in scripts {
            for message in messages {
                report.total += 1
                let key = "\(script)/\(message)"
                let theirs = try pigeonhole(work: work, script: "differential/\(script)", message: "messages/\(message)")
                let ours = try ours(work: work, script: "differential/\(script)", message: "messages/\(message)")
                if theirs == ours {
                    report.agreed += 1
                    if knownDifference(script: script, message: message) != nil {
                        report.disagreements.append("\(key): listed as a known difference but agrees now")
                    }
                } else if knownDifference(script: script, message: message) == nil {
                    report.disagreements.append("\(key):\n  sieve-test: \(theirs)\n  ours:       \(ours)")
                }
            }
        }
        return report
    }

    /// Copies the library to a directory the unprivileged user sieve-test runs as can read, with a config.
    static func prepareWorkDirectory() throws -> URL {
        let fm = FileManager.default
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sieve-diff-\(UUID().uuidString)")
        try fm.copyItem(at: scriptsRoot, to: work)
        try fm.createDirectory(at: work.appendingPathComponent("mail"), withIntermediateDirectories: true)
        let config = """
            mail_location = maildir:\(work.path)/mail
            plugin {
              sieve = file:\(work.path)/personal
              sieve_global = \(work.path)/global
              sieve_extensions = +editheader +vacation-seconds
            }

            """
        try config.write(to: work.appendingPathComponent("dovecot.conf"), atomically: true, encoding: .utf8)
        for path in [work.path] + (fm.subpaths(atPath: work.path) ?? []).map({ work.appendingPathComponent($0).path }) {
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: path, isDirectory: &isDir)
            try fm.setAttributes([.posixPermissions: isDir.boolValue ? 0o777 : 0o666], ofItemAtPath: path)
        }
        return work
    }

    static func pigeonhole(work: URL, script: String, message: String) throws -> Outcome {
        let process = Process()
        var arguments = [
            "-c", work.appendingPathComponent("dovecot.conf").path, "-f", sender, "-r", recipient,
            work.appendingPathComponent(script).path, work.appendingPathComponent(message).path
        ]
        if geteuid() == 0 {
            // Dovecot refuses mail access as root: run as nobody.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", sieveTest] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: sieveTest)
        }
        process.arguments = arguments
        process.environment = ["HOME": work.path, "PATH": "/usr/bin:/bin", "TZ": "UTC"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0: return .actions(parseActions(stdout))
        case 1: return .runtimeError
        default:
            let first = stderr.split(separator: "\n").first { $0.contains(": line ") && $0.contains("error:") }
            return .compileError(first.map(normalizeError) ?? stderr)
        }
    }

    static func ours(work: URL, script: String, message: String) throws -> Outcome {
        let text = try String(contentsOf: work.appendingPathComponent(script), encoding: .utf8)
        let bytes = try [UInt8](Data(contentsOf: work.appendingPathComponent(message)))
        let compiled: SieveScript
        do {
            compiled = try SieveCompiler.compile(text)
        } catch {
            return .compileError(normalizeError(Substring(error.description)))
        }
        let personal = work.appendingPathComponent("personal")
        let global = work.appendingPathComponent("global")
        let env = SieveEnvironment(
            mailboxExists: { $0 == "INBOX" },
            loadScript: { name, location in
                let dir = location == .global ? global : personal
                return try? String(contentsOf: dir.appendingPathComponent(name + ".sieve"), encoding: .utf8)
            },
            localOffsetMinutes: 0) // sieve-test runs with TZ=UTC
        let result = SieveInterpreter.run(
            compiled, message: SieveMessage(bytes: bytes, envelopeFrom: sender, envelopeTo: recipient),
            environment: env)
        if result.runtimeError != nil { return .runtimeError }
        return .actions(result.sieveTestLines())
    }

    /// `NAME: line 3: error: text.` → `line 3: error: text`.
    static func normalizeError(_ line: Substring) -> String {
        var s = String(line)
        if let r = s.range(of: "line ") { s = String(s[r.lowerBound...]) }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// sieve-test's report, one trimmed line each, blanks collapsed; vacation handles and texts left out.
    static func parseActions(_ text: String) -> [String] {
        var out: [String] = []
        var skipping = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("=> handle") {
                skipping = true
                continue
            }
            if line == "END MESSAGE" {
                skipping = false
                continue
            }
            if skipping || line.isEmpty { continue }
            out.append(line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "))
        }
        return out
    }
}
