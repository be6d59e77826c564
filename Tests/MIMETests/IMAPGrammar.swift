import MIME

/// A small reader for IMAP wire syntax used to check the ENVELOPE and BODYSTRUCTURE written from what the MIME
/// parser found: balanced parentheses,
/// well-formed quoted strings (only `\"` and `\\` escapes, no CR/LF/8-bit) and literals with exact counts.
indirect enum IMAPNode: Equatable, CustomStringConvertible {
    case list([IMAPNode])
    case string([UInt8])
    case atom(String)

    var description: String {
        switch self {
        case .list(let l): return "(" + l.map(\.description).joined(separator: " ") + ")"
        case .string(let s): return "\"" + String(decoding: s, as: UTF8.self) + "\""
        case .atom(let a): return a
        }
    }

    var list: [IMAPNode]? { if case .list(let l) = self { return l } else { return nil } }
    var isNIL: Bool { self == .atom("NIL") }
}

struct IMAPGrammarError: Error, CustomStringConvertible {
    var description: String
}

enum IMAPGrammar {
    /// Parses exactly one value covering the whole input.
    static func parse(_ bytes: [UInt8]) throws -> IMAPNode {
        var i = 0
        let node = try value(bytes, &i)
        guard i == bytes.count else { throw IMAPGrammarError(description: "trailing bytes at \(i)") }
        return node
    }

    static func parse(_ s: String) throws -> IMAPNode { try parse(Array(s.utf8)) }

    private static func value(_ b: [UInt8], _ i: inout Int) throws -> IMAPNode {
        guard i < b.count else { throw IMAPGrammarError(description: "unexpected end") }
        switch b[i] {
        case UInt8(ascii: "("):
            i += 1
            var items: [IMAPNode] = []
            while true {
                guard i < b.count else { throw IMAPGrammarError(description: "unbalanced (") }
                if b[i] == UInt8(ascii: ")") {
                    i += 1
                    return .list(items)
                }
                if !items.isEmpty, b[i] == UInt8(ascii: " ") {
                    i += 1
                } else if !items.isEmpty, case .list = items.last!, b[i] == UInt8(ascii: "(") { /* body lists abut */
                } else if !items.isEmpty {
                    throw IMAPGrammarError(description: "missing space at \(i)")
                }
                items.append(try value(b, &i))
            }
        case UInt8(ascii: "\""):
            i += 1
            var out: [UInt8] = []
            while true {
                guard i < b.count else { throw IMAPGrammarError(description: "unterminated quoted string") }
                let c = b[i]
                i += 1
                if c == UInt8(ascii: "\"") { return .string(out) }
                if c == UInt8(ascii: "\\") {
                    guard i < b.count, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "\\") else {
                        throw IMAPGrammarError(description: "bad escape")
                    }
                    out.append(b[i])
                    i += 1
                    continue
                }
                guard c != 13, c != 10, c != 0, c < 0x80 else { throw IMAPGrammarError(description: "bad char \(c) in quoted") }
                out.append(c)
            }
        case UInt8(ascii: "{"):
            i += 1
            var n = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                n = n * 10 + Int(b[i] - 0x30)
                i += 1
            }
            guard i + 2 < b.count, b[i] == UInt8(ascii: "}"), b[i + 1] == 13, b[i + 2] == 10 else {
                throw IMAPGrammarError(description: "bad literal header")
            }
            i += 3
            guard i + n <= b.count else { throw IMAPGrammarError(description: "short literal") }
            let s = Array(b[i..<(i + n)])
            guard !s.contains(0) else { throw IMAPGrammarError(description: "NUL in literal") }
            i += n
            return .string(s)
        default:
            let s = i
            while i < b.count, b[i] != UInt8(ascii: " "), b[i] != UInt8(ascii: ")"), b[i] != UInt8(ascii: "(") {
                guard b[i] > 0x20, b[i] < 0x7F, b[i] != UInt8(ascii: "\"") else { throw IMAPGrammarError(description: "bad atom char") }
                i += 1
            }
            guard i > s else { throw IMAPGrammarError(description: "empty atom at \(i)") }
            return .atom(String(decoding: b[s..<i], as: UTF8.self))
        }
    }

    /// Checks the RFC 3501 `body` grammar on a parsed BODY/BODYSTRUCTURE, recursively.
    static func checkBody(_ node: IMAPNode, extensible: Bool) throws {
        guard let items = node.list, !items.isEmpty else { throw IMAPGrammarError(description: "body is not a list") }
        if items[0].list != nil {
            var n = 0
            while n < items.count, items[n].list != nil {
                try checkBody(items[n], extensible: extensible)
                n += 1
            }
            guard n < items.count, case .string = items[n] else { throw IMAPGrammarError(description: "multipart subtype") }
            let ext = items.count - n - 1
            guard extensible ? ext >= 4 : ext == 0 else { throw IMAPGrammarError(description: "multipart extension count \(ext)") }
            return
        }
        guard items.count >= 7, case .string(let type) = items[0], case .string(let sub) = items[1] else {
            throw IMAPGrammarError(description: "basic fields")
        }
        guard items[2].isNIL || items[2].list.map({ $0.count % 2 == 0 && !$0.isEmpty }) == true else {
            throw IMAPGrammarError(description: "params")
        }
        guard case .atom(let size) = items[6], Int(size) != nil else { throw IMAPGrammarError(description: "size") }
        var next = 7
        let t = String(decoding: type, as: UTF8.self).lowercased()
        let s = String(decoding: sub, as: UTF8.self).lowercased()
        if t == "message" && (s == "rfc822" || s == "global") {
            guard items.count >= 10, items[7].list?.count == 10 else { throw IMAPGrammarError(description: "message envelope") }
            try checkBody(items[8], extensible: extensible)
            next = 10
        } else if t == "text" {
            next = 8
        }
        guard items.count >= next, case .atom(let l) = items[next - 1], Int(l) != nil else { throw IMAPGrammarError(description: "lines/size") }
        let ext = items.count - next
        guard extensible ? ext >= 4 : ext == 0 else { throw IMAPGrammarError(description: "1part extension count \(ext)") }
    }
}
