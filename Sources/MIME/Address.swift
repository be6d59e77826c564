/// One element of an ENVELOPE address list: a mailbox, or a group start/end marker (RFC 3501 §7.4.2).
public struct Address: Sendable, Hashable {
    /// Display name as written (RFC 2047 encoded-words kept; `decodedName` decodes them).
    public var name: Bytes?
    /// Source route (obsolete `@a,@b:` syntax), nil almost always.
    public var route: Bytes?
    /// Local part; for a group start the group name; nil for a group end.
    public var mailbox: Bytes?
    /// Domain; nil marks a group start/end. "MISSING_DOMAIN" when the address had none (as Dovecot writes it).
    public var host: Bytes?

    public init(name: Bytes?, route: Bytes?, mailbox: Bytes?, host: Bytes?) {
        self.name = name
        self.route = route
        self.mailbox = mailbox
        self.host = host
    }

    public var isGroupStart: Bool { host == nil && mailbox != nil }
    public var isGroupEnd: Bool { host == nil && mailbox == nil }
    public var decodedName: String? { name.map { EncodedWords.decode($0) } }
    /// `mailbox@host`, or nil for group markers.
    public var address: String? {
        guard let mailbox, let host else { return nil }
        return host == AddressParser.missingDomain ? mailbox.text : mailbox.text + "@" + host.text
    }
}

/// A tolerant RFC 5322 address-list parser (groups, comments, quoted strings, routes, junk).
public enum AddressParser {
    /// Placeholders Dovecot puts in ENVELOPE for a missing local part or domain (a NIL host would mean a group).
    public static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    public static let missingDomain = Array("MISSING_DOMAIN".utf8)

    enum Token: Equatable {
        case word(Bytes)
        case quoted(Bytes)
        case comment(Bytes)
        case special(UInt8)
    }

    public static func parse(_ value: Bytes) -> [Address] {
        let tokens = tokenize(value)
        var result: [Address] = []
        var current: [Token] = []
        var inAngle = false
        var inGroup = false
        for token in tokens {
            switch token {
            case .special(UInt8(ascii: "<")):
                inAngle = true
                current.append(token)
            case .special(UInt8(ascii: ">")):
                inAngle = false
                current.append(token)
            case .special(UInt8(ascii: ":")) where !inAngle && !inGroup:
                let name = phrase(current)
                result.append(Address(name: nil, route: nil, mailbox: name ?? [], host: nil))
                current = []
                inGroup = true
            case .special(UInt8(ascii: ";")) where !inAngle:
                if let a = mailbox(current) { result.append(a) }
                current = []
                if inGroup {
                    result.append(Address(name: nil, route: nil, mailbox: nil, host: nil))
                    inGroup = false
                }
            case .special(UInt8(ascii: ",")) where !inAngle:
                if let a = mailbox(current) { result.append(a) }
                current = []
            default:
                current.append(token)
            }
        }
        if let a = mailbox(current) { result.append(a) }
        if inGroup { result.append(Address(name: nil, route: nil, mailbox: nil, host: nil)) }
        return result
    }

    static func tokenize(_ v: Bytes) -> [Token] {
        var tokens: [Token] = []
        var t = MIMETokenizer(bytes: v)
        while !t.atEnd {
            let b = v[t.index]
            if ASCII.isSpace(b) { t.index += 1; continue }
            if b == ASCII.quote { tokens.append(.quoted(t.quotedString())); continue }
            if b == UInt8(ascii: "(") {
                let s = t.index
                t.skipCFWS()
                var inner = Array(v[(s + 1)..<t.index]).trimmingWhitespace()
                if inner.last == UInt8(ascii: ")") { inner.removeLast() }
                tokens.append(.comment(inner.trimmingWhitespace()))
                continue
            }
            if b == UInt8(ascii: "[") {
                // Domain literal: keep as one word, brackets included.
                let s = t.index
                while t.index < v.count && v[t.index] != UInt8(ascii: "]") { t.index += 1 }
                t.index = min(t.index + 1, v.count)
                tokens.append(.word(Array(v[s..<t.index])))
                continue
            }
            switch b {
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"), UInt8(ascii: ","), UInt8(ascii: ";"),
                 UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: ")"), UInt8(ascii: "]"):
                tokens.append(.special(b))
                t.index += 1
            default:
                let s = t.index
                while t.index < v.count {
                    let c = v[t.index]
                    if ASCII.isSpace(c) || c == ASCII.quote { break }
                    if "()<>@,;:.[]".utf8.contains(c) { break }
                    t.index += 1
                }
                tokens.append(.word(Array(v[s..<t.index])))
            }
        }
        return tokens
    }

    /// Words and quoted strings joined by single spaces; nil if none.
    static func phrase(_ tokens: [Token]) -> Bytes? {
        var out = Bytes()
        var any = false
        var previousWasDot = false
        for token in tokens {
            switch token {
            case .word(let w), .quoted(let w):
                if any && !previousWasDot { out.append(ASCII.space) }
                out += w
                any = true
                previousWasDot = false
            case .special(UInt8(ascii: ".")):
                out.append(UInt8(ascii: "."))
                any = true
                previousWasDot = true
            default:
                continue
            }
        }
        return any ? out : nil
    }

    /// Local part or domain: words, quoted strings and dots concatenated without blanks.
    static func concatenated(_ tokens: ArraySlice<Token>) -> Bytes {
        var out = Bytes()
        for token in tokens {
            switch token {
            case .word(let w), .quoted(let w): out += w
            case .special(let s) where s == UInt8(ascii: "."): out.append(s)
            default: continue
            }
        }
        return out
    }

    static func mailbox(_ tokens: [Token]) -> Address? {
        let meaningful = tokens.filter { if case .comment = $0 { return false } else { return true } }
        guard !meaningful.isEmpty else { return nil }
        if let open = meaningful.firstIndex(of: .special(UInt8(ascii: "<"))) {
            let name = phrase(Array(meaningful[..<open]))
            var inner = meaningful[(open + 1)...]
            if let close = inner.firstIndex(of: .special(UInt8(ascii: ">"))) { inner = inner[..<close] }
            var route: Bytes? = nil
            if let colon = inner.firstIndex(of: .special(UInt8(ascii: ":"))) {
                var r = Bytes()
                for t in inner[..<colon] {
                    switch t {
                    case .word(let w): r += w
                    case .special(let s): r.append(s)
                    default: break
                    }
                }
                route = r
                inner = inner[(colon + 1)...]
            }
            guard !inner.isEmpty else {
                return name.map { Address(name: $0, route: nil, mailbox: missingMailbox, host: missingDomain) }
            }
            return addrSpec(inner, name: name, route: route)
        }
        return addrSpec(meaningful[...], name: nil, route: nil)   // comments are not names (Dovecot)
    }

    static func addrSpec(_ tokens: ArraySlice<Token>, name: Bytes?, route: Bytes?) -> Address? {
        func orMissing(_ b: Bytes, _ placeholder: Bytes) -> Bytes { b.isEmpty ? placeholder : b }
        if let at = tokens.lastIndex(of: .special(UInt8(ascii: "@"))) {
            return Address(name: name, route: route, mailbox: orMissing(concatenated(tokens[..<at]), missingMailbox),
                           host: orMissing(concatenated(tokens[(at + 1)...]), missingDomain))
        }
        let local = concatenated(tokens)
        guard !local.isEmpty else { return nil }
        return Address(name: name, route: route, mailbox: local, host: missingDomain)
    }
}
