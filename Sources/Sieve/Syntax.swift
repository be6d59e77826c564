import Foundation

/// One argument of a command or test as written (RFC 5228 §2.6): a tag, a number or a string list
/// (a single string is a list of one, remembered so `:days "3"`-style checks can tell them apart).
public enum SieveArgument: Sendable, Hashable {
    case tag(String)
    case number(Int)
    case string(String)
    case stringList([String])

    /// The strings of a string or string list argument.
    var strings: [String]? {
        switch self {
        case .string(let s): return [s]
        case .stringList(let l): return l
        default: return nil
        }
    }
}

/// A test (`header :is "a" "b"`, `allof (…)`): its identifier, arguments and nested tests.
public struct SieveTest: Sendable, Hashable {
    public var name: String
    public var line: Int
    public var arguments: [SieveArgument]
    public var tests: [SieveTest]
}

/// A command (`fileinto "x";`, `if … { … }`): its identifier, arguments, test list and block.
public struct SieveCommand: Sendable, Hashable {
    public var name: String
    public var line: Int
    public var arguments: [SieveArgument]
    public var tests: [SieveTest]
    public var block: [SieveCommand]?
}

/// A compile error worded as Pigeonhole words it: `line N: error: …`.
public struct SieveCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { line > 0 ? "line \(line): error: \(message)" : "error: \(message)" }
}

// MARK: Lexer

enum Token: Equatable {
    case identifier(String)
    case tag(String)
    case number(Int)
    case string(String)
    case punct(Character) // ; , ( ) [ ] { }
    case end
}

struct Lexer {
    private let bytes: [UInt8]
    private var pos = 0
    private(set) var line = 1

    init(_ text: String) { bytes = Array(text.utf8) }

    static let numberLimit = "number exceeds integer limits (max \(UInt64.max))"

    private func peek(_ offset: Int = 0) -> UInt8? {
        pos + offset < bytes.count ? bytes[pos + offset] : nil
    }

    private static func isAlpha(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    /// Skips white space and both comment forms; returns the next token with the line it starts on.
    mutating func next() throws(SieveCompileError) -> (Token, Int) {
        while let b = peek() {
            if b == 10 {
                line += 1
                pos += 1
            } else if b == 32 || b == 9 || b == 13 {
                pos += 1
            } else if b == 35 {
                while let c = peek(), c != 10 { pos += 1 }
            } else if b == 47 && peek(1) == 42 {
                let start = line
                pos += 2
                var closed = false
                while let c = peek() {
                    if c == 42 && peek(1) == 47 {
                        pos += 2
                        closed = true
                        break
                    }
                    if c == 10 { line += 1 }
                    pos += 1
                }
                if !closed {
                    throw SieveCompileError(line: line, message: "end of file before end of bracket comment ('/* ... */') started at line \(start)")
                }
            } else {
                break
            }
        }
        let startLine = line
        guard let b = peek() else { return (.end, line) }
        if b == 58 { // :tag
            pos += 1
            let s = pos
            while let c = peek(), Self.isAlpha(c) || Self.isDigit(c) { pos += 1 }
            if s == pos { throw SieveCompileError(line: line, message: "unexpected character ':'") }
            return (.tag(String(decoding: bytes[s..<pos], as: UTF8.self).lowercased()), startLine)
        }
        if Self.isDigit(b) {
            var value = 0
            while let c = peek(), Self.isDigit(c) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(c - 48))
                if o1 || o2 { throw SieveCompileError(line: line, message: Self.numberLimit) }
                value = a
                pos += 1
            }
            if let c = peek(), let shift = ["K": 10, "k": 10, "M": 20, "m": 20, "G": 30, "g": 30][Character(UnicodeScalar(c))] {
                pos += 1
                if value > Int.max >> shift { throw SieveCompileError(line: line, message: Self.numberLimit) }
                value <<= shift
            }
            return (.number(value), startLine)
        }
        if Self.isAlpha(b) {
            let s = pos
            while let c = peek(), Self.isAlpha(c) || Self.isDigit(c) { pos += 1 }
            let word = String(decoding: bytes[s..<pos], as: UTF8.self).lowercased()
            if word == "text", peek() == 58 {
                pos += 1
                return (.string(try multiline()), startLine)
            }
            return (.identifier(word), startLine)
        }
        if b == 34 {
            pos += 1
            return (.string(try quoted()), startLine)
        }
        if let p = ";,()[]{}".first(where: { $0.asciiValue == b }) {
            pos += 1
            return (.punct(p), startLine)
        }
        throw SieveCompileError(line: line, message: "unexpected character '\(Character(UnicodeScalar(b)))'")
    }

    private mutating func quoted() throws(SieveCompileError) -> String {
        var out: [UInt8] = []
        let start = line
        while let c = peek() {
            pos += 1
            if c == 34 { return String(decoding: out, as: UTF8.self) }
            if c == 92, let n = peek() {
                out.append(n)
                pos += 1
                if n == 10 { line += 1 }
                continue
            }
            if c == 10 { line += 1 }
            out.append(c)
        }
        throw SieveCompileError(line: line, message: "end of file before end of string started at line \(start)")
    }

    /// `text:` then blanks, an optional comment, a line break, lines up to a lone `.`; a leading `..` is `.`.
    private mutating func multiline() throws(SieveCompileError) -> String {
        while let c = peek(), c == 32 || c == 9 { pos += 1 }
        if peek() == 35 { while let c = peek(), c != 10 { pos += 1 } }
        if peek() == 13 { pos += 1 }
        guard peek() == 10 else { throw SieveCompileError(line: line, message: "invalid character following 'text:'") }
        pos += 1
        line += 1
        var out: [UInt8] = []
        while pos < bytes.count {
            var e = pos
            while e < bytes.count, bytes[e] != 10 { e += 1 }
            var lineBytes = Array(bytes[pos..<e])
            if lineBytes.last == 13 { lineBytes.removeLast() }
            pos = min(e + 1, bytes.count)
            if e < bytes.count { line += 1 }
            if lineBytes == [46] { return String(decoding: out, as: UTF8.self) }
            if lineBytes.first == 46 && lineBytes.count > 1 && lineBytes[1] == 46 { lineBytes.removeFirst() }
            out += lineBytes
            out += [13, 10]
        }
        throw SieveCompileError(line: line, message: "end of file before end of multi-line string")
    }
}

// MARK: Parser

struct Parser {
    private var lexer: Lexer
    private var token: Token = .end
    private var tokenLine = 1
    private let maxNesting: Int

    init(_ text: String, maxNesting: Int) throws(SieveCompileError) {
        lexer = Lexer(text)
        self.maxNesting = maxNesting
        try advance()
    }

    private mutating func advance() throws(SieveCompileError) { (token, tokenLine) = try lexer.next() }

    private func describe(_ t: Token) -> String {
        switch t {
        case .identifier(let s): return "identifier '\(s)'"
        case .tag(let s): return "tag ':\(s)'"
        case .number: return "number"
        case .string: return "string"
        case .punct(let c): return "'\(c)'"
        case .end: return "end of file"
        }
    }

    mutating func parseScript() throws(SieveCompileError) -> [SieveCommand] {
        let commands = try commandList(depth: 0)
        if token != .end {
            if case .punct("}") = token {
                throw SieveCompileError(line: tokenLine, message: "unexpected '}' found at (the presumed) end of file")
            }
            let what: String
            switch token {
            case .string: what = "string"
            case .number: what = "number"
            case .tag: what = "tagged argument"
            default: what = describe(token)
            }
            throw SieveCompileError(line: tokenLine, message: "unexpected \(what) found at (the presumed) end of file")
        }
        return commands
    }

    private mutating func commandList(depth: Int) throws(SieveCompileError) -> [SieveCommand] {
        var out: [SieveCommand] = []
        while case .identifier(let name) = token {
            let line = tokenLine
            try advance()
            let (args, tests) = try argumentsAndTests(testDepth: 0)
            var block: [SieveCommand]?
            if token == .punct(";") {
                try advance()
            } else if token == .punct("{") {
                if depth + 1 > maxNesting {
                    throw SieveCompileError(line: tokenLine, message: "cannot nest command blocks deeper than \(maxNesting) levels")
                }
                try advance()
                block = try commandList(depth: depth + 1)
                guard token == .punct("}") else {
                    throw SieveCompileError(line: tokenLine, message: "expected end of compound block '}', but found \(describe(token))")
                }
                try advance()
            } else {
                throw SieveCompileError(
                    line: tokenLine, message: "expected end of command ';' or the beginning of a compound block '{', but found \(describe(token))")
            }
            out.append(SieveCommand(name: name, line: line, arguments: args, tests: tests, block: block))
        }
        return out
    }

    /// Arguments, then a test or test list; test nesting is counted apart from block nesting, as Pigeonhole counts it.
    private mutating func argumentsAndTests(testDepth depth: Int) throws(SieveCompileError) -> ([SieveArgument], [SieveTest]) {
        var args: [SieveArgument] = []
        while true {
            switch token {
            case .tag(let t):
                args.append(.tag(t))
                try advance()
            case .number(let n):
                args.append(.number(n))
                try advance()
            case .string(let s):
                args.append(.string(s))
                try advance()
            case .punct("["): args.append(.stringList(try stringList()))
            default:
                var tests: [SieveTest] = []
                if case .identifier = token {
                    tests = [try test(depth: depth + 1)]
                } else if token == .punct("(") {
                    tests = try testList(depth: depth + 1)
                }
                return (args, tests)
            }
        }
    }

    private mutating func stringList() throws(SieveCompileError) -> [String] {
        try advance()
        var out: [String] = []
        while true {
            guard case .string(let s) = token else {
                throw SieveCompileError(line: tokenLine, message: "expecting string after '[' or ',' in string list, but found \(describe(token))")
            }
            out.append(s)
            try advance()
            if token == .punct("]") {
                try advance()
                return out
            }
            guard token == .punct(",") else {
                throw SieveCompileError(line: tokenLine, message: "expecting ',' or end of string list ']', but found \(describe(token))")
            }
            try advance()
        }
    }

    private mutating func testList(depth: Int) throws(SieveCompileError) -> [SieveTest] {
        if depth > maxNesting {
            throw SieveCompileError(line: tokenLine, message: "cannot nest tests deeper than \(maxNesting) levels")
        }
        try advance()
        var out: [SieveTest] = []
        while true {
            out.append(try test(depth: depth))
            if token == .punct(")") {
                try advance()
                return out
            }
            guard token == .punct(",") else {
                throw SieveCompileError(line: tokenLine, message: "expecting ',' or end of test list ')', but found \(describe(token))")
            }
            try advance()
        }
    }

    private mutating func test(depth: Int) throws(SieveCompileError) -> SieveTest {
        if depth > maxNesting {
            throw SieveCompileError(line: tokenLine, message: "cannot nest tests deeper than \(maxNesting) levels")
        }
        guard case .identifier(let name) = token else {
            throw SieveCompileError(line: tokenLine, message: "expecting test identifier, but found \(describe(token))")
        }
        let line = tokenLine
        try advance()
        let (args, tests) = try argumentsAndTests(testDepth: depth)
        return SieveTest(name: name, line: line, arguments: args, tests: tests)
    }
}
