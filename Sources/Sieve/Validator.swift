import Foundation

/// A command or test after validation: tags resolved (with their values), positional arguments in order.
public struct SieveNode: Sendable, Hashable {
    public var name: String
    public var line: Int
    /// Tagged arguments by name (without the colon); a tag that takes no value maps to `.tag(name)`.
    public var tags: [String: SieveArgument]
    public var positional: [SieveArgument]
    public var tests: [SieveNode]
    public var block: [SieveNode]?

    func has(_ tag: String) -> Bool { tags[tag] != nil }
    var matchType: String { ["is", "contains", "matches", "regex", "count", "value"].first { tags[$0] != nil } ?? "is" }
    var comparator: String {
        if case .string(let c)? = tags["comparator"] { return c }
        return "i;ascii-casemap"
    }
    var relation: String? {
        if case .string(let r)? = tags["count"] ?? tags["value"] { return r }
        return nil
    }
    var addressPart: String { ["all", "localpart", "domain", "user", "detail"].first { tags[$0] != nil } ?? "all" }
}

/// A validated script: immutable and Sendable, so a delivery path can cache it per script.
public struct SieveScript: Sendable, Hashable {
    public var name: String
    public var commands: [SieveNode]
    /// The extensions its `require` commands named.
    public var extensions: Set<String>
}

/// Compile-time limits (Pigeonhole's defaults).
public struct SieveLimits: Sendable, Hashable {
    public var maxScriptSize = 1 << 20
    public var maxActions = 32
    public var maxRedirects = 4
    public var maxNesting = 32
    public var maxStringListSize = 1024
    public var maxRegexPatternLength = 1024
    public var maxIncludeDepth = 10
    public var maxIncludes = 255
    public var maxVariables = 255
    public var maxVariableSize = 4096
    /// Interpreter steps (commands, tests and match work) before a run ends with a CPU-limit error.
    public var maxSteps = 2_000_000
    public init() {}
    public static let `default` = SieveLimits()
}

/// The extensions this interpreter implements, as `require` names them.
public let sieveSupportedExtensions: Set<String> = [
    "fileinto", "reject", "ereject", "envelope", "encoded-character", "comparator-i;octet",
    "comparator-i;ascii-casemap", "comparator-i;ascii-numeric", "copy", "imap4flags", "vacation",
    "vacation-seconds", "body", "variables", "mailbox", "date", "relational", "regex", "subaddress",
    "include", "duplicate", "editheader"
]

private enum ValueKind { case none, string, number, stringList }

private struct TagSpec {
    var kind: ValueKind
    var group: String?
    var requires: String?
}

private struct Spec {
    var tags: [String: TagSpec]
    var positional: [ValueKind]
    var requires: String?
    var tests: ClosedRange<Int> = 0...0
    var block: Bool? = false // nil: optional (none used); true: required
}

private let matchTags: [String: TagSpec] = [
    "is": TagSpec(kind: .none, group: "MATCH-TYPE"), "contains": TagSpec(kind: .none, group: "MATCH-TYPE"),
    "matches": TagSpec(kind: .none, group: "MATCH-TYPE"), "regex": TagSpec(kind: .none, group: "MATCH-TYPE", requires: "regex"),
    "count": TagSpec(kind: .string, group: "MATCH-TYPE", requires: "relational"),
    "value": TagSpec(kind: .string, group: "MATCH-TYPE", requires: "relational"),
    "comparator": TagSpec(kind: .string, group: "COMPARATOR")
]
private let addressPartTags: [String: TagSpec] = [
    "all": TagSpec(kind: .none, group: "ADDRESS-PART"), "localpart": TagSpec(kind: .none, group: "ADDRESS-PART"),
    "domain": TagSpec(kind: .none, group: "ADDRESS-PART"),
    "user": TagSpec(kind: .none, group: "ADDRESS-PART", requires: "subaddress"),
    "detail": TagSpec(kind: .none, group: "ADDRESS-PART", requires: "subaddress")
]
private let zoneTags: [String: TagSpec] = [
    "zone": TagSpec(kind: .string, group: "ZONE"), "originalzone": TagSpec(kind: .none, group: "ZONE")
]
private let indexTags: [String: TagSpec] = [
    "index": TagSpec(kind: .number, requires: "index"), "last": TagSpec(kind: .none, requires: "index")
]
private let flagsTag: [String: TagSpec] = ["flags": TagSpec(kind: .stringList, requires: "imap4flags")]

private func + (a: [String: TagSpec], b: [String: TagSpec]) -> [String: TagSpec] { a.merging(b) { x, _ in x } }

private let commandSpecs: [String: Spec] = [
    "require": Spec(tags: [:], positional: [.stringList]),
    "if": Spec(tags: [:], positional: [], tests: 1...1, block: true),
    "elsif": Spec(tags: [:], positional: [], tests: 1...1, block: true),
    "else": Spec(tags: [:], positional: [], block: true),
    "stop": Spec(tags: [:], positional: []),
    "keep": Spec(tags: flagsTag, positional: []),
    "discard": Spec(tags: [:], positional: []),
    "redirect": Spec(tags: ["copy": TagSpec(kind: .none, requires: "copy")], positional: [.string]),
    "fileinto": Spec(
        tags: flagsTag + [
            "copy": TagSpec(kind: .none, requires: "copy"),
            "create": TagSpec(kind: .none, requires: "mailbox")
        ],
        positional: [.string], requires: "fileinto"),
    "reject": Spec(tags: [:], positional: [.string], requires: "reject"),
    "ereject": Spec(tags: [:], positional: [.string], requires: "ereject"),
    "vacation": Spec(
        tags: [
            "days": TagSpec(kind: .number, group: "PERIOD"),
            "seconds": TagSpec(kind: .number, group: "PERIOD", requires: "vacation-seconds"),
            "subject": TagSpec(kind: .string), "from": TagSpec(kind: .string),
            "addresses": TagSpec(kind: .stringList), "mime": TagSpec(kind: .none),
            "handle": TagSpec(kind: .string)
        ],
        positional: [.string], requires: "vacation"),
    "setflag": Spec(tags: [:], positional: [.stringList, .stringList], requires: "imap4flags"),
    "addflag": Spec(tags: [:], positional: [.stringList, .stringList], requires: "imap4flags"),
    "removeflag": Spec(tags: [:], positional: [.stringList, .stringList], requires: "imap4flags"),
    "set": Spec(
        tags: [
            "lower": TagSpec(kind: .none), "upper": TagSpec(kind: .none), "lowerfirst": TagSpec(kind: .none),
            "upperfirst": TagSpec(kind: .none), "quotewildcard": TagSpec(kind: .none),
            "quoteregex": TagSpec(kind: .none, requires: "regex"), "length": TagSpec(kind: .none),
            "encodeurl": TagSpec(kind: .none)
        ],
        positional: [.string, .string], requires: "variables"),
    "include": Spec(
        tags: [
            "personal": TagSpec(kind: .none, group: "LOCATION"), "global": TagSpec(kind: .none, group: "LOCATION"),
            "once": TagSpec(kind: .none), "optional": TagSpec(kind: .none)
        ],
        positional: [.string], requires: "include"),
    "return": Spec(tags: [:], positional: [], requires: "include"),
    "global": Spec(tags: [:], positional: [.stringList], requires: "include"),
    "addheader": Spec(tags: ["last": TagSpec(kind: .none)], positional: [.string, .string], requires: "editheader"),
    "deleteheader": Spec(
        tags: matchTags + ["index": TagSpec(kind: .number), "last": TagSpec(kind: .none)],
        positional: [.string, .stringList], requires: "editheader")
]

private let testSpecs: [String: Spec] = [
    "true": Spec(tags: [:], positional: []),
    "false": Spec(tags: [:], positional: []),
    "not": Spec(tags: [:], positional: [], tests: 1...1),
    "allof": Spec(tags: [:], positional: [], tests: 1...Int.max),
    "anyof": Spec(tags: [:], positional: [], tests: 1...Int.max),
    "exists": Spec(tags: [:], positional: [.stringList]),
    "size": Spec(tags: ["over": TagSpec(kind: .number, group: "SIZE"), "under": TagSpec(kind: .number, group: "SIZE")], positional: []),
    "header": Spec(
        tags: matchTags + indexTags + ["mime": TagSpec(kind: .none, requires: "mime"), "anychild": TagSpec(kind: .none, requires: "mime")],
        positional: [.stringList, .stringList]),
    "address": Spec(tags: matchTags + addressPartTags + indexTags, positional: [.stringList, .stringList]),
    "envelope": Spec(tags: matchTags + addressPartTags, positional: [.stringList, .stringList], requires: "envelope"),
    "body": Spec(
        tags: matchTags + [
            "raw": TagSpec(kind: .none, group: "BODY-TRANSFORM"),
            "content": TagSpec(kind: .stringList, group: "BODY-TRANSFORM"),
            "text": TagSpec(kind: .none, group: "BODY-TRANSFORM")
        ],
        positional: [.stringList], requires: "body"),
    "string": Spec(tags: matchTags, positional: [.stringList, .stringList], requires: "variables"),
    "hasflag": Spec(tags: matchTags, positional: [.stringList, .stringList], requires: "imap4flags"),
    "mailboxexists": Spec(tags: [:], positional: [.stringList], requires: "mailbox"),
    "date": Spec(tags: matchTags + zoneTags + indexTags, positional: [.string, .string, .stringList], requires: "date"),
    "currentdate": Spec(tags: matchTags + ["zone": TagSpec(kind: .string)], positional: [.string, .stringList], requires: "date"),
    "duplicate": Spec(
        tags: [
            "handle": TagSpec(kind: .string), "header": TagSpec(kind: .string, group: "ID"),
            "uniqueid": TagSpec(kind: .string, group: "ID"), "seconds": TagSpec(kind: .number),
            "last": TagSpec(kind: .none)
        ],
        positional: [], requires: "duplicate")
]

private let relations: Set<String> = ["gt", "ge", "lt", "le", "eq", "ne"]
private let comparators = [
    "i;octet": "comparator-i;octet", "i;ascii-casemap": "comparator-i;ascii-casemap",
    "i;ascii-numeric": "comparator-i;ascii-numeric"
]

/// Compiles script text: parse, check `require`, resolve arguments; throws the first error, worded as Pigeonhole words it.
public enum SieveCompiler {
    /// `extensions`: those a script may require (Pigeonhole's `sieve_extensions`); others are unknown capabilities.
    public static func compile(
        _ text: String, name: String = "script", limits: SieveLimits = .default,
        extensions enabled: Set<String> = sieveSupportedExtensions
    ) throws(SieveCompileError) -> SieveScript {
        if text.utf8.count > limits.maxScriptSize {
            throw SieveCompileError(line: 0, message: "script is too large (max \(limits.maxScriptSize) bytes)")
        }
        var parser = try Parser(text, maxNesting: limits.maxNesting)
        let commands = try parser.parseScript()
        var v = Validation(limits: limits, enabled: enabled)
        let nodes = try v.block(commands, topLevel: true)
        return SieveScript(name: name, commands: nodes, extensions: v.extensions)
    }
}

private struct Validation {
    let limits: SieveLimits
    let enabled: Set<String>
    var extensions: Set<String> = []
    var requiresAllowed = true

    init(limits: SieveLimits, enabled: Set<String>) {
        self.limits = limits
        self.enabled = enabled
    }

    mutating func block(_ commands: [SieveCommand], topLevel: Bool) throws(SieveCompileError) -> [SieveNode] {
        var out: [SieveNode] = []
        var previous: String?
        for c in commands {
            if c.name == "require" {
                guard topLevel && requiresAllowed else {
                    throw SieveCompileError(line: c.line, message: "require commands can only be placed at top level at the beginning of the file")
                }
            } else {
                requiresAllowed = false
            }
            if (c.name == "elsif" || c.name == "else") && previous != "if" && previous != "elsif" {
                throw SieveCompileError(line: c.line, message: "the \(c.name) command must follow an if or elseif command")
            }
            let node = try command(c)
            if c.name == "require" { continue }
            out.append(node)
            previous = c.name
        }
        return out
    }

    mutating func command(_ c: SieveCommand) throws(SieveCompileError) -> SieveNode {
        guard var spec = commandSpecs[c.name], extensionOK(spec.requires) else {
            throw SieveCompileError(line: c.line, message: "unknown command '\(c.name)' (only reported once at first occurrence)")
        }
        if c.name == "deleteheader" { spec.positional = [.string] }
        var node = try resolve(
            name: c.name, line: c.line, what: "command", spec: spec, arguments: c.arguments,
            optionalTrailing: c.name == "deleteheader" ? .stringList : nil)
        if spec.tests.lowerBound > 0 && c.tests.count != 1 {
            let found = c.tests.isEmpty ? "none is specified" : "a list of tests is specified"
            throw SieveCompileError(line: c.line, message: "the \(c.name) command requires one sub-test, but \(found)")
        }
        if spec.tests.upperBound == 0 && !c.tests.isEmpty {
            // A lone test after a command is most likely the next command with the semicolon forgotten.
            throw SieveCompileError(
                line: c.line,
                message: c.tests.count == 1
                    ? "missing semicolon ';' after \(c.name) command"
                    : "the \(c.name) command accepts no sub-tests, but tests are specified")
        }
        for t in c.tests { node.tests.append(try test(t)) }
        if spec.block == true {
            guard let b = c.block else {
                throw SieveCompileError(line: c.line, message: "the \(c.name) command requires a command block, but it is missing")
            }
            node.block = try block(b, topLevel: false)
        } else if c.block != nil {
            throw SieveCompileError(line: c.line, message: "the \(c.name) command does not accept a command block, but one is specified anyway")
        }
        if c.name == "require" {
            for ext in node.positional[0].strings ?? [] {
                guard sieveSupportedExtensions.contains(ext), enabled.contains(ext) else {
                    throw SieveCompileError(line: c.line, message: "require command: unknown Sieve capability `\(ext)'")
                }
                extensions.insert(ext)
                if ext == "ereject" { extensions.insert("reject") }
            }
        }
        try checkSemantics(node)
        return node
    }

    mutating func test(_ t: SieveTest) throws(SieveCompileError) -> SieveNode {
        guard let spec = testSpecs[t.name], extensionOK(spec.requires) else {
            throw SieveCompileError(line: t.line, message: "unknown test '\(t.name)' (only reported once at first occurrence)")
        }
        if t.name == "size" && !t.arguments.contains(.tag("over")) && !t.arguments.contains(.tag("under")) {
            throw SieveCompileError(line: t.line, message: "the size test requires either the :under or the :over tag to be specified")
        }
        var node = try resolve(name: t.name, line: t.line, what: "test", spec: spec, arguments: t.arguments, optionalTrailing: nil)
        if t.tests.count < spec.tests.lowerBound || t.tests.count > spec.tests.upperBound {
            if spec.tests.upperBound == 0 {
                throw SieveCompileError(line: t.line, message: "the \(t.name) test accepts no sub-tests, but tests are specified")
            }
            let wanted = spec.tests.lowerBound == spec.tests.upperBound ? "one sub-test" : "a list of sub-tests"
            let found = t.tests.isEmpty ? "none is specified" : "a list of tests is specified"
            throw SieveCompileError(line: t.line, message: "the \(t.name) test requires \(wanted), but \(found)")
        }
        for s in t.tests { node.tests.append(try test(s)) }
        try checkSemantics(node)
        return node
    }

    func extensionOK(_ ext: String?) -> Bool { ext.map { extensions.contains($0) } ?? true }

    /// Splits arguments into tags (checked against the spec and `require`) and positional ones (counted and typed).
    mutating func resolve(
        name: String, line: Int, what: String, spec: Spec, arguments: [SieveArgument],
        optionalTrailing: ValueKind?
    ) throws(SieveCompileError) -> SieveNode {
        var tags: [String: SieveArgument] = [:]
        var groups: [String: String] = [:]
        var positional: [SieveArgument] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            i += 1
            if let l = a.strings, l.count > limits.maxStringListSize {
                throw SieveCompileError(line: line, message: "string list is too long (max \(limits.maxStringListSize) items)")
            }
            guard case .tag(let tag) = a else {
                positional.append(a)
                continue
            }
            guard let ts = spec.tags[tag], extensionOK(ts.requires) else {
                throw SieveCompileError(
                    line: line, message: "unknown tagged argument ':\(tag)' for the \(name) \(what) (reported only once at first occurrence)")
            }
            if !positional.isEmpty {
                throw SieveCompileError(
                    line: line, message: "encountered an unexpected tagged argument ':\(tag)' while validating positional arguments for the \(name) \(what)")
            }
            if let g = ts.group {
                if groups[g] != nil {
                    throw SieveCompileError(line: line, message: "encountered duplicate \(g) argument (:\(tag)) for the \(name) \(what)")
                }
                groups[g] = tag
            } else if tags[tag] != nil {
                throw SieveCompileError(line: line, message: "encountered duplicate tag ':\(tag)' for the \(name) \(what)")
            }
            switch ts.kind {
            case .none:
                tags[tag] = .tag(tag)
            case .number:
                guard i < arguments.count, case .number(let n) = arguments[i] else {
                    throw SieveCompileError(line: line, message: "the :\(tag) tag for the \(name) \(what) requires a number argument")
                }
                tags[tag] = .number(n)
                i += 1
            case .string:
                guard i < arguments.count, case .string(let s) = arguments[i] else {
                    throw SieveCompileError(line: line, message: "the :\(tag) tag for the \(name) \(what) requires a string argument")
                }
                tags[tag] = .string(decode(s))
                i += 1
            case .stringList:
                guard i < arguments.count, let l = arguments[i].strings else {
                    throw SieveCompileError(line: line, message: "the :\(tag) tag for the \(name) \(what) requires a string list argument")
                }
                tags[tag] = .stringList(l.map(decode))
                i += 1
            }
        }
        var expected = spec.positional
        if ["setflag", "addflag", "removeflag", "hasflag"].contains(name) && positional.count == 1 { expected = [.stringList] }
        if let extra = optionalTrailing, positional.count == expected.count + 1 { expected.append(extra) }
        guard positional.count == expected.count else {
            throw SieveCompileError(
                line: line, message: "the \(name) \(what) requires \(expected.count) positional argument(s), but \(positional.count) is/are specified")
        }
        for (k, (arg, kind)) in zip(positional, expected).enumerated() {
            switch (arg, kind) {
            case (.string(let s), .string), (.string(let s), .stringList): positional[k] = .string(decode(s))
            case (.stringList(let l), .stringList): positional[k] = .stringList(l.map(decode))
            case (.number, .number): break
            default:
                let wanted = kind == .number ? "number" : kind == .string ? "string" : "string list"
                throw SieveCompileError(line: line, message: "the \(name) \(what) expects a \(wanted) as argument \(k + 1), but \(describe(arg)) was found")
            }
        }
        return SieveNode(name: name, line: line, tags: tags, positional: positional, tests: [], block: nil)
    }

    func describe(_ a: SieveArgument) -> String {
        switch a {
        case .number: return "a number"
        case .string: return "a string"
        case .stringList: return "a string list"
        case .tag(let t): return "tag :\(t)"
        }
    }

    /// `${hex:…}` and `${unicode:…}` when encoded-character is required (RFC 5228 §2.4.2.4).
    func decode(_ s: String) -> String {
        extensions.contains("encoded-character") ? EncodedCharacter.decode(s) : s
    }

    func checkSemantics(_ node: SieveNode) throws(SieveCompileError) {
        let line = node.line
        if case .string(let c)? = node.tags["comparator"] {
            guard let ext = comparators[c] else { throw SieveCompileError(line: line, message: "unknown comparator '\(c)'") }
            if ext == "comparator-i;ascii-numeric" && !extensions.contains(ext) {
                throw SieveCompileError(line: line, message: "unknown comparator '\(c)'")
            }
        }
        if let r = node.relation, !relations.contains(r.lowercased()) {
            throw SieveCompileError(line: line, message: "invalid relational match '\(r)'")
        }
        if node.has("regex") {
            let keys = node.positional.last?.strings ?? []
            for k in keys where !k.contains("${") || !extensions.contains("variables") {
                if k.utf8.count > limits.maxRegexPatternLength {
                    throw SieveCompileError(
                        line: line, message: "regular expression '\(k.prefix(32))...' is too long (max \(limits.maxRegexPatternLength) bytes)")
                }
                if let err = POSIXRegex.check(k, caseInsensitive: node.comparator == "i;ascii-casemap") {
                    throw SieveCompileError(line: line, message: "invalid regular expression '\(k)' for regex match: \(err)")
                }
            }
        }
        switch node.name {
        case "size":
            if node.tags["over"] == nil && node.tags["under"] == nil {
                throw SieveCompileError(line: line, message: "the size test requires either the :under or the :over tag to be specified")
            }
        case "set":
            let name = node.positional[0].strings?.first ?? ""
            if !Variables.isValidName(name) {
                throw SieveCompileError(line: line, message: "invalid variable name '\(name)'")
            }
        case "addheader", "deleteheader":
            let field = node.positional[0].strings?.first ?? ""
            if !field.contains("${") && !HeaderEdit.isValidFieldName(field) {
                throw SieveCompileError(line: line, message: "\(node.name) command: specified field name '\(field)' is invalid")
            }
        case "envelope":
            for part in node.positional[0].strings ?? [] where !["from", "to", "auth"].contains(part.lowercased()) && !part.contains("${") {
                throw SieveCompileError(line: line, message: "envelope test: specified envelope part '\(part)' is not supported")
            }
        case "vacation":
            if case .string(let from)? = node.tags["from"], !from.contains("${"), !from.contains("@") {
                throw SieveCompileError(line: line, message: "specified :from address '\(from)' is invalid for the vacation action")
            }
        default: break
        }
    }
}

/// RFC 5228 §2.4.2.4 encoded characters: `${hex: 41 42}`, `${unicode: 263a}`; malformed ones stay as written.
enum EncodedCharacter {
    static func decode(_ s: String) -> String {
        References.replacing(in: s) { content in
            guard let colon = content.firstIndex(of: ":") else { return nil }
            let kind = content[..<colon].lowercased()
            let items = content[content.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            if kind == "hex" {
                var bytes: [UInt8] = []
                for item in items {
                    // hex-pair = 1*2HEXDIG
                    guard item.count <= 2, item.allSatisfy(\.isHexDigit), let byte = UInt8(item, radix: 16) else { return nil }
                    bytes.append(byte)
                }
                return String(decoding: bytes, as: UTF8.self)
            } else if kind == "unicode" {
                var text = ""
                for item in items {
                    guard let v = UInt32(item, radix: 16), let scalar = Unicode.Scalar(v) else { return nil }
                    text.unicodeScalars.append(scalar)
                }
                return text
            }
            return nil
        }
    }
}
