import Foundation
import Sieve
import Testing

@Suite("Sieve limits: hostile scripts end with a clear error")
struct LimitsTests {
    @Test("more than 4 redirects is a runtime error worded as Pigeonhole's; the message is kept")
    func redirects() throws {
        let script = (1...5).map { "redirect \"r\($0)@example.net\";" }.joined(separator: "\n")
        let r = try run(script)
        #expect(r.runtimeError == "line 5: error: number of redirect actions exceeds policy limit (5 > 4)")
        #expect(r.actions.isEmpty && r.implicitKeep != nil)
    }

    @Test("more than 32 actions is a runtime error")
    func actionsLimit() throws {
        let script = "require \"fileinto\";\n" + (1...33).map { "fileinto \"f\($0)\";" }.joined(separator: "\n")
        #expect(try run(script).runtimeError == "line 34: error: total number of actions exceeds policy limit (33 > 32)")
    }

    @Test("deep nesting is a compile error, not a stack overflow")
    func nesting() {
        let deepBlocks = String(repeating: "if true {", count: 100) + String(repeating: "}", count: 100)
        #expect(compileError(deepBlocks)?.contains("cannot nest command blocks deeper than 32 levels") == true)
        let deepTests = "if " + String(repeating: "not ", count: 10000) + "true {}"
        #expect(compileError(deepTests)?.contains("cannot nest tests deeper than 32 levels") == true)
        let deepLists = "if " + String(repeating: "anyof(", count: 5000) + "true" + String(repeating: ")", count: 5000) + " {}"
        #expect(compileError(deepLists)?.contains("cannot nest tests deeper") == true)
    }

    @Test("huge string lists are refused")
    func stringLists() {
        let list = "[" + (1...2000).map { "\"k\($0)\"" }.joined(separator: ",") + "]"
        #expect(compileError("if header :is \"subject\" \(list) {}")?.contains("string list is too long") == true)
    }

    @Test("a quadratic :matches pattern on a long value hits the step budget")
    func wildcards() throws {
        let subject = String(repeating: "a", count: 100_000)
        let msg = message(sampleMessage.replacingOccurrences(of: "Subject: Hello world, invoice 2026-42", with: "Subject: \(subject)"))
        let pattern = "*" + String(repeating: "a", count: 1000) + "b"
        var limits = SieveLimits()
        limits.maxSteps = 200_000 // a tenth of the default, to keep the test quick in debug builds
        let r = try run("if header :matches \"subject\" \"\(pattern)\" { discard; }", msg, env: SieveEnvironment(limits: limits))
        #expect(r.runtimeError == "line 1: error: execution exceeded CPU time limit")
        #expect(r.implicitKeep != nil)
    }

    @Test("regex pattern length is bounded at compile time and at run time (variables)")
    func regexLimits() throws {
        let long = String(repeating: "a", count: 2000)
        #expect(compileError("require \"regex\";\nif header :regex \"subject\" \"\(long)\" {}")?.contains("is too long") == true)
        let r = try run(
            "require [\"regex\", \"variables\"]; set \"p\" \"\(String(repeating: "a", count: 1000))\"; set \"q\" \"${p}${p}\"; if header :regex \"subject\" \"${q}\" { discard; }"
        )
        #expect(r.runtimeError?.contains("regular expression is too long") == true)
    }

    @Test("include loops, self-inclusion and too deep include chains end with an error")
    func includes() throws {
        let env = SieveEnvironment(loadScript: { name, _ in
            if name == "self" { return "require \"include\"; include \"self\";" }
            if let n = Int(name) { return "require \"include\"; include \"\(n + 1)\";" }
            return nil
        })
        #expect(try run("require \"include\"; include \"self\";", env: env).runtimeError?.contains("circular include") == true)
        #expect(try run("require \"include\"; include \"1\";", env: env).runtimeError?.contains("nesting depth of included scripts exceeds") == true)
    }

    @Test("a loop of many includes with :once does not recurse; many plain includes hit the include count")
    func includeCount() throws {
        let env = SieveEnvironment(loadScript: { _, _ in "keep;" })
        let many = "require \"include\";\n" + (1...300).map { _ in "include \"k\";" }.joined(separator: "\n")
        #expect(try run(many, env: env).runtimeError?.contains("too many included scripts") == true)
        let once = "require \"include\";\n" + (1...300).map { _ in "include :once \"k\";" }.joined(separator: "\n")
        #expect(try run(once, env: env).runtimeError == nil)
    }

    @Test("a huge number of commands hits the step budget")
    func steps() throws {
        var limits = SieveLimits()
        limits.maxSteps = 1000
        let script = String(repeating: "if true { }\n", count: 2000)
        let compiled = try SieveCompiler.compile(script)
        let r = SieveInterpreter.run(compiled, message: message(), environment: SieveEnvironment(limits: limits))
        #expect(r.runtimeError?.contains("CPU time limit") == true)
    }

    @Test("variables are bounded in size and count")
    func variables() throws {
        let big = String(repeating: "x", count: 3000)
        let r = try run("require [\"variables\", \"fileinto\"]; set \"a\" \"\(big)\"; set \"b\" \"${a}${a}\"; set :length \"n\" \"${b}\"; fileinto \"${n}\";")
        #expect(r.actions == [.store(mailbox: "4096", flags: [], copy: false, create: false)])
        let many = "require \"variables\";\n" + (1...300).map { "set \"v\($0)\" \"x\";" }.joined(separator: "\n")
        #expect(try run(many).runtimeError?.contains("too many variables") == true)
    }
}

@Suite("Sieve limits: long match patterns")
struct LongPatternTests {
    @Test("body :contains with a long key against a long repetitive body ends with the CPU limit")
    func longContains() async throws {
        let body = String(repeating: "a", count: 2_000_000)
        let msg = message("From: a@b.c\r\nTo: bob@example.org\r\nSubject: x\r\n\r\n" + body + "\r\n")
        let key = String(repeating: "a", count: 1000) + "b"
        let r = try await onOwnThread { try run("require \"body\"; if body :raw :contains \"\(key)\" { discard; }", msg) }
        #expect(r.runtimeError == "line 1: error: execution exceeded CPU time limit")
    }

    @Test("a :matches pattern of 100,000 wildcards neither recurses nor hangs; backtracking stays polynomial")
    func longPattern() throws {
        let pattern = String(repeating: "?", count: 100_000)
        let r = try run("if header :matches \"subject\" \"\(pattern)\" { discard; }")
        #expect(r.runtimeError == nil && r.actions.isEmpty)
        let stars = String(repeating: "*", count: 100_000) + "x"
        #expect(try run("if header :matches \"subject\" \"\(stars)\" { discard; }").runtimeError == nil)
        // Exponential for a recursive matcher; the iterative one answers within the budget.
        let subject = String(repeating: "a", count: 3000)
        let msg = message(sampleMessage.replacingOccurrences(of: "Subject: Hello world, invoice 2026-42", with: "Subject: \(subject)"))
        let r2 = try run("if header :matches \"subject\" \"\(String(repeating: "*a", count: 30))b\" { discard; }", msg)
        #expect(r2.runtimeError == nil && r2.actions.isEmpty)
    }
}
