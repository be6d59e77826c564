import Foundation
import Sieve

let sampleMessage = """
    Return-Path: <sender@example.com>
    From: Alice Example <alice+lists@example.com>
    To: Bob <bob@example.org>, carol@example.net
    Cc: dave@example.org
    Subject: Hello world, invoice 2026-42
    Date: Tue, 1 Dec 2026 10:00:00 +0100
    Message-ID: <abc123@example.com>
    X-Spam-Score: 7
    Content-Type: text/plain; charset=utf-8

    Hello Bob,
    the invoice is attached.

    """.replacingOccurrences(of: "\n", with: "\r\n")

func message(_ text: String = sampleMessage, from: String = "sender@example.com", to: String = "bob@example.org") -> SieveMessage {
    SieveMessage(bytes: Array(text.utf8), envelopeFrom: from, envelopeTo: to)
}

/// Compiles and runs; a compile error is returned as the result's runtime error text prefixed `compile:`.
func run(_ script: String, _ msg: SieveMessage = message(), env: SieveEnvironment = SieveEnvironment()) throws -> SieveResult {
    let compiled = try SieveCompiler.compile(script)
    return SieveInterpreter.run(compiled, message: msg, environment: env)
}

/// The result's action lines without the section headers, for short expectations.
func actions(_ script: String, _ msg: SieveMessage = message(), env: SieveEnvironment = SieveEnvironment()) throws -> [String] {
    let r = try run(script, msg, env: env)
    if let e = r.runtimeError { return ["error: \(e)"] }
    var lines = r.actions.flatMap { a -> [String] in
        switch a {
        case .store(let mailbox, let flags, let copy, let create):
            return ["fileinto \(mailbox)" + (copy ? " copy" : "") + (create ? " create" : "") + (flags.isEmpty ? "" : " flags=" + flags.joined(separator: ","))]
        case .redirect(let address, let copy): return ["redirect \(address)" + (copy ? " copy" : "")]
        case .discard: return ["discard"]
        case .reject(let reason, let extended): return [(extended ? "ereject " : "reject ") + reason]
        case .vacation(let v): return ["vacation \(v.period) \(v.subject ?? "-") \(v.reason)"]
        }
    }
    if case .store(_, let flags, _, _)? = r.implicitKeep { lines.append("implicit keep" + (flags.isEmpty ? "" : " flags=" + flags.joined(separator: ","))) }
    return lines
}

func compileError(_ script: String) -> String? {
    do {
        _ = try SieveCompiler.compile(script)
        return nil
    } catch {
        return error.description
    }
}

/// Runs `body` on a thread of its own. For tests that wait for child processes or burn seconds of CPU on purpose
/// (the step budget): on one of Swift's cooperative threads (one per core) they would starve every test running
/// beside them, timing-sensitive ones first.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result(catching: body)) }.start()
    }
}
