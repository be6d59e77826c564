import Foundation
import Sieve
import Testing

@Suite("Sieve lexer, parser and validator")
struct ParserTests {
    @Test("commands, tests, string lists, numbers with quantifiers, comments")
    func grammar() throws {
        let s = try SieveCompiler.compile(
            """
            require ["fileinto", "envelope"]; # comment
            /* bracketed
               comment */
            if allof (size :over 1K, not size :over 2M, envelope :is "from" ["a@b.c", "d@e.f"]) {
              fileinto "x";
            } elsif exists "subject" { stop; } else { keep; }
            """)
        #expect(s.extensions == ["fileinto", "envelope"])
        #expect(s.commands.map(\.name) == ["if", "elsif", "else"])
        let test = s.commands[0].tests[0]
        #expect(test.name == "allof" && test.tests.count == 3)
        #expect(test.tests[0].tags["over"] == .number(1024))
        #expect(test.tests[1].tests[0].tags["over"] == .number(2 << 20))
        #expect(test.tests[2].positional[1] == .stringList(["a@b.c", "d@e.f"]))
        #expect(s.commands[0].block?.first?.line == 5)
        let g = try SieveCompiler.compile("if size :under 1G { discard; }")
        #expect(g.commands[0].tests[0].tags["under"] == .number(1 << 30))
    }

    @Test("multi-line strings: dot-stuffing, the terminating dot, a comment after text:")
    func multiline() throws {
        let s = try SieveCompiler.compile("require \"reject\";\nreject text: # why\nline one\n..starts with a dot\n.\n;\n")
        #expect(s.commands[0].positional[0] == .string("line one\r\n.starts with a dot\r\n"))
    }

    @Test("quoted strings keep escaped quotes and backslashes")
    func quoted() throws {
        let s = try SieveCompiler.compile(#"require "fileinto"; fileinto "a\"b\\c";"#)
        #expect(s.commands[0].positional[0] == .string(#"a"b\c"#))
    }

    @Test("encoded-character decodes hex and unicode only when required")
    func encodedCharacter() throws {
        let on = try SieveCompiler.compile(#"require ["encoded-character", "fileinto"]; fileinto "${hex:41 42}${unicode:263a}${hex:zz}";"#)
        #expect(on.commands[0].positional[0] == .string("AB\u{263a}${hex:zz}"))
        let off = try SieveCompiler.compile(#"require "fileinto"; fileinto "${hex:41}";"#)
        #expect(off.commands[0].positional[0] == .string("${hex:41}"))
    }

    @Test(
        "errors carry line numbers and Pigeonhole's wording",
        arguments: [
            ("fileinto \"a\";", "line 1: error: unknown command 'fileinto' (only reported once at first occurrence)"),
            ("require \"foo\";", "line 1: error: require command: unknown Sieve capability `foo'"),
            ("keep;\nif header :is \"a\" {}", "line 2: error: the header test requires 2 positional argument(s), but 1 is/are specified"),
            ("if header :regex \"a\" \"b\" {}", "line 1: error: unknown tagged argument ':regex' for the header test (reported only once at first occurrence)"),
            ("keep", "line 1: error: expected end of command ';' or the beginning of a compound block '{', but found end of file"),
            ("if true { keep;", "line 1: error: expected end of compound block '}', but found end of file"),
            ("if foo {}", "line 1: error: unknown test 'foo' (only reported once at first occurrence)"),
            ("if header :is :contains \"a\" \"b\" {}", "line 1: error: encountered duplicate MATCH-TYPE argument (:contains) for the header test"),
            ("if size 100 {}", "line 1: error: the size test requires either the :under or the :over tag to be specified"),
            ("if header :comparator \"i;foo\" \"a\" \"b\" {}", "line 1: error: unknown comparator 'i;foo'"),
            ("stop 1;", "line 1: error: the stop command requires 0 positional argument(s), but 1 is/are specified"),
            ("\"abc\"", "line 1: error: unexpected string found at (the presumed) end of file"),
            ("require \"variables\";\nset \"a\" \"b\" \"c\";", "line 2: error: the set command requires 2 positional argument(s), but 3 is/are specified"),
            ("require \"regex\";\nif header :regex \"a\" \"(\" {}", "line 2: error: invalid regular expression '(' for regex match: unmatched ( or \\("),
            ("/* abc", "line 1: error: end of file before end of bracket comment ('/* ... */') started at line 1"),
            ("if header :is \"subject\" [\"a\" \"b\"] {}", "line 1: error: expecting ',' or end of string list ']', but found string"),
            ("if true { } }", "line 1: error: unexpected '}' found at (the presumed) end of file"),
            (String(repeating: "if true {", count: 33) + String(repeating: "}", count: 33), "line 1: error: cannot nest command blocks deeper than 32 levels"),
            ("require \"variables\";\nset \"1a\" \"b\";", "line 2: error: invalid variable name '1a'"),
            ("keep { }", "line 1: error: the keep command does not accept a command block, but one is specified anyway"),
            ("if true;", "line 1: error: the if command requires a command block, but it is missing"),
            ("keep (true, false);", "line 1: error: the keep command accepts no sub-tests, but tests are specified"),
            ("if not {}", "line 1: error: the not test requires one sub-test, but none is specified"),
            ("if allof {}", "line 1: error: the allof test requires a list of sub-tests, but none is specified"),
            ("if {}", "line 1: error: the if command requires one sub-test, but none is specified"),
            ("if (true, false) {}", "line 1: error: the if command requires one sub-test, but a list of tests is specified"),
            ("require \"fileinto\"\nfileinto \"x\";", "line 1: error: missing semicolon ';' after require command"),
            ("else {}", "line 1: error: the else command must follow an if or elseif command"),
            (
                "require \"fileinto\";\nfileinto :copy \"x\";",
                "line 2: error: unknown tagged argument ':copy' for the fileinto command (reported only once at first occurrence)"
            ),
            ("keep;\nrequire \"fileinto\";", "line 2: error: require commands can only be placed at top level at the beginning of the file"),
            (
                "if address :user \"from\" \"a\" {}",
                "line 1: error: unknown tagged argument ':user' for the address test (reported only once at first occurrence)"
            ),
            (
                "if header :is \"a\" \"b\" :comparator \"i;octet\" {}",
                "line 1: error: encountered an unexpected tagged argument ':comparator' while validating positional arguments for the header test"
            )
        ])
    func errors(script: String, expected: String) {
        #expect(compileError(script) == expected)
    }

    @Test("extensions are only usable when required")
    func requireChecked() {
        #expect(compileError("if body :contains \"x\" {}")?.contains("unknown test 'body'") == true)
        #expect(compileError("if header :count \"gt\" \"a\" \"1\" {}")?.contains("unknown tagged argument ':count'") == true)
        #expect(
            compileError("require \"relational\";\nif header :count \"gt\" :comparator \"i;ascii-numeric\" \"a\" \"1\" {}")
                == "line 2: error: unknown comparator 'i;ascii-numeric'")
        #expect(compileError("vacation \"x\";")?.contains("unknown command 'vacation'") == true)
        #expect(compileError("require \"vacation\";\nvacation :seconds 10 \"x\";")?.contains("unknown tagged argument ':seconds'") == true)
    }

    @Test("scripts are Sendable values that compare equal when compiled twice")
    func cacheable() throws {
        let text = "require \"fileinto\"; if header :contains \"subject\" \"x\" { fileinto \"y\"; }"
        let a = try SieveCompiler.compile(text)
        let b = try SieveCompiler.compile(text)
        #expect(a == b)
        let shared: any Sendable = a
        #expect(shared is SieveScript)
    }

    @Test("numbers out of range and a script over the size limit are compile errors")
    func limits() {
        #expect(compileError("if size :over 99999999999999999999 {}") == "line 1: error: number exceeds integer limits (max 18446744073709551615)")
        #expect(compileError("if size :over 2000000000000G {}") == "line 1: error: number exceeds integer limits (max 18446744073709551615)")
        var limits = SieveLimits()
        limits.maxScriptSize = 10
        #expect(throws: SieveCompileError.self) { try SieveCompiler.compile("keep; keep; keep;", limits: limits) }
    }
}
