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

/// RFC 5322 address lists (groups, comments, quoted pairs, routes, obsolete forms), read the way Dovecot's
/// lib-mail reads them, because ENVELOPE, SORT and address SEARCH must give what clients see from Dovecot:
/// an addr-spec's last comment is its display name (`user@host (Real Name)`), an obsolete phrase keeps its
/// dots (`Mr. Real Name`), words without an address are a display name (`Real Name` →
/// MISSING_MAILBOX/MISSING_DOMAIN), a domain that is not a dot-atom or literal is MISSING_DOMAIN, and an
/// unterminated `<…` has the domain SYNTAX_ERROR. Nothing is fatal: junk becomes placeholders.
public enum AddressParser {
    /// Placeholders Dovecot puts in ENVELOPE for a missing local part or domain (a NIL host would mean a group).
    public static let missingMailbox = Array("MISSING_MAILBOX".utf8)
    public static let missingDomain = Array("MISSING_DOMAIN".utf8)
    static let syntaxError = Array("SYNTAX_ERROR".utf8)
    static let invalidRoute = Array("INVALID_ROUTE".utf8)

    /// The addresses of a header value; `limit` stops after that many top-level addresses (a group counts as one).
    public static func parse(_ value: Bytes, limit: Int = .max) -> [Address] {
        var scanner = AddressListScanner(bytes: value)
        return scanner.addressList(limit: limit)
    }

    /// The address list written back in canonical form, as SEARCH FROM/TO/CC/BCC compare it (Dovecot
    /// matches the normalized list, not the raw header): `"Display Name" <local@domain>`, `group: a, b;`.
    /// Display names containing encoded-words are written unquoted so that the caller can decode them.
    public static func canonicalText(_ addresses: [Address]) -> Bytes {
        var out = Bytes()
        var first = true
        var inGroup = false
        for address in addresses {
            if !first { out += [UInt8(ascii: ","), ASCII.space] }
            first = false
            if address.host == nil {
                if !inGroup {
                    if let name = address.mailbox, !name.isEmpty { appendPhrase(name, to: &out) } else { out += [ASCII.quote, ASCII.quote] }
                    out += [ASCII.colon, ASCII.space]
                    first = true
                } else {
                    if out.count >= 2, out[out.count - 2] == UInt8(ascii: ",") {
                        out.removeLast(2)
                    } else if out.count >= 2, out[out.count - 2] == ASCII.colon {
                        out.removeLast()
                    }
                    out.append(UInt8(ascii: ";"))
                }
                inGroup.toggle()
                continue
            }
            let mailbox = address.mailbox ?? []
            let host = address.host ?? []
            if let name = address.name { appendPhrase(name, to: &out) }
            if address.route != nil || !mailbox.isEmpty || !host.isEmpty {
                if let name = address.name, !name.isEmpty { out.append(ASCII.space) }
                out.append(UInt8(ascii: "<"))
                if let route = address.route {
                    out += route
                    out.append(ASCII.colon)
                }
                if mailbox.isEmpty { out += [ASCII.quote, ASCII.quote] } else { appendQuotedIfNeeded(mailbox, dotIsPlain: true, to: &out) }
                if !host.isEmpty {
                    out.append(UInt8(ascii: "@"))
                    out += host
                }
                out.append(UInt8(ascii: ">"))
            }
        }
        return out
    }

    private static func appendPhrase(_ phrase: Bytes, to out: inout Bytes) {
        // An encoded-word may not be quoted (RFC 2047 §5): keep it as obsolete phrase syntax.
        if containsEncodedWordMarker(phrase) { out += phrase } else { appendQuotedIfNeeded(phrase, dotIsPlain: false, to: &out) }
    }

    private static func containsEncodedWordMarker(_ v: Bytes) -> Bool {
        v.count >= 2 && (0..<(v.count - 1)).contains { v[$0] == UInt8(ascii: "=") && v[$0 + 1] == UInt8(ascii: "?") }
    }

    private static func appendQuotedIfNeeded(_ text: Bytes, dotIsPlain: Bool, to out: inout Bytes) {
        if text.allSatisfy({ AddressListScanner.isAtext($0) || (dotIsPlain && $0 == UInt8(ascii: ".")) }) {
            out += text
            return
        }
        out.append(ASCII.quote)
        for b in text {
            if b == ASCII.quote || b == ASCII.backslash || b == UInt8(ascii: "'") { out.append(ASCII.backslash) }
            out.append(b)
        }
        out.append(ASCII.quote)
    }
}

/// A recursive-descent reader of one address-list value. Step results follow one convention:
/// `.more` (input remains), `.end` (input consumed, a value may have been read) or `.invalid`.
struct AddressListScanner {
    enum Step: Equatable { case invalid, end, more }

    let bytes: Bytes
    var index = 0
    /// The text of the last comment skipped (an addr-spec without a phrase takes it as its display name).
    var lastComment = Bytes()
    var addresses: [Address] = []
    var current = Pending()

    struct Pending {
        var name: Bytes?, route: Bytes?, mailbox: Bytes?, domain: Bytes?
        var invalid = false
    }

    init(bytes: Bytes) { self.bytes = bytes }

    var more: Step { index < bytes.count ? .more : .end }
    func at(_ c: Character) -> Bool { index < bytes.count && bytes[index] == c.asciiValue! }

    /// RFC 5322 atext (8-bit bytes count as text, as in the wild).
    static func isAtext(_ b: UInt8) -> Bool {
        if b >= 0x80 { return true }
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(b)
        }
    }

    // MARK: Lexical pieces

    /// A comment's text goes to `lastComment`: quoted pairs unescaped, a NUL as U+FFFD. An unterminated
    /// comment keeps what was read up to its last quoted pair or NUL, as Dovecot's does.
    mutating func skipComment() -> Step {
        lastComment = []
        index += 1
        var level = 1
        var start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "("): level += 1
            case UInt8(ascii: ")"):
                level -= 1
                if level == 0 {
                    lastComment += bytes[start..<index]
                    index += 1
                    return more
                }
            case 0:
                lastComment += bytes[start..<index] + Self.replacementCharacter
                start = index + 1
            case ASCII.backslash where index + 1 < bytes.count && !Self.endsQuotedPair(bytes[index + 1]):
                lastComment += bytes[start..<index]
                index += 1
                start = index // the quoted character itself is kept
            case ASCII.backslash where index + 1 >= bytes.count:
                return .invalid
            default: break
            }
            index += 1
        }
        return .invalid
    }

    /// U+FFFD: IMAP strings cannot carry NUL, and Dovecot's parser reads it so inside quotes and comments
    /// (elsewhere a NUL is not atext and ends what is being read).
    static let replacementCharacter: Bytes = [0xEF, 0xBF, 0xBD]

    /// A backslash before CR, LF or NUL quotes nothing: it stays as text.
    static func endsQuotedPair(_ b: UInt8) -> Bool { b == ASCII.cr || b == ASCII.lf || b == 0 }

    /// Skips blanks, line breaks and comments.
    mutating func skipCFWS() -> Step {
        while index < bytes.count {
            let b = bytes[index]
            if ASCII.isSpace(b) {
                index += 1
                continue
            }
            if b != UInt8(ascii: "(") { break }
            if skipComment() == .invalid { return .invalid }
        }
        return more
    }

    mutating func atom(into out: inout Bytes) -> Step {
        guard index < bytes.count, Self.isAtext(bytes[index]) else { return .invalid }
        let start = index
        while index < bytes.count && Self.isAtext(bytes[index]) { index += 1 }
        out += bytes[start..<index]
        return index < bytes.count ? skipCFWS() : .end
    }

    /// A domain's dot-atom: every dot between two non-empty runs of atext (blanks allowed around dots).
    mutating func strictDotAtom(into out: inout Bytes) -> Step {
        guard index < bytes.count, Self.isAtext(bytes[index]) else { return .invalid }
        while true {
            let start = index
            while index < bytes.count && Self.isAtext(bytes[index]) { index += 1 }
            if start == index { return .invalid }
            out += bytes[start..<index]
            guard index < bytes.count else { return .end }
            let step = skipCFWS()
            if step != .more { return step }
            if bytes[index] != UInt8(ascii: ".") { return .more }
            index += 1
            out.append(UInt8(ascii: "."))
            if skipCFWS() != .more { return .invalid }
        }
    }

    /// A local part's dot-atom, where leading, trailing and repeated dots are tolerated (`user.@host`).
    mutating func lenientDotAtom(into out: inout Bytes) -> Step {
        var step = Step.invalid
        repeat {
            while at(".") {
                out.append(UInt8(ascii: "."))
                index += 1
                if index >= bytes.count { return .end }
                step = .more
            }
            if at("@") { break }
            step = atom(into: &out)
        } while step == .more && at(".")
        return step
    }

    /// A quoted string's content: quoted pairs unescaped, folding line breaks removed, a NUL as U+FFFD.
    /// Unterminated, it keeps what was read up to its last folding, quoted pair or NUL (Dovecot's result).
    mutating func quotedString(into out: inout Bytes) -> Step {
        index += 1
        var start = index
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.quote:
                out += bytes[start..<index]
                index += 1
                return skipCFWS()
            case ASCII.lf:
                var end = index
                if end > start && bytes[end - 1] == ASCII.cr { end -= 1 }
                out += bytes[start..<end]
                start = index + 1
            case 0:
                out += bytes[start..<index] + Self.replacementCharacter
                start = index + 1
            case ASCII.backslash where index + 1 < bytes.count && !Self.endsQuotedPair(bytes[index + 1]):
                out += bytes[start..<index]
                index += 1
                start = index
            case ASCII.backslash where index + 1 >= bytes.count:
                return .invalid
            default: break
            }
            index += 1
        }
        return .invalid
    }

    /// A phrase (RFC 5322 obs-phrase too): words and dots, comments dropped, words joined by one space.
    mutating func phrase(into out: inout Bytes) -> Step {
        guard index < bytes.count else { return .end }
        if at(".") { return .invalid }
        while true {
            let step: Step
            if at("\"") {
                step = quotedString(into: &out)
            } else {
                let start = index
                while index < bytes.count && (Self.isAtext(bytes[index]) || bytes[index] == UInt8(ascii: ".")) { index += 1 }
                out += bytes[start..<index]
                step = index < bytes.count ? skipCFWS() : .end
            }
            if step != .more { return step }
            let b = bytes[index]
            if !Self.isAtext(b) && b != ASCII.quote && b != UInt8(ascii: ".") { break }
            out.append(ASCII.space)
        }
        return skipCFWS()
    }

    /// `@` then a dot-atom or a domain literal (kept with its brackets).
    mutating func domain(into out: inout Bytes) -> Step {
        index += 1
        if skipCFWS() != .more { return .invalid }
        guard at("[") else { return strictDotAtom(into: &out) }
        let start = index
        while index < bytes.count {
            if bytes[index] == ASCII.backslash {
                index += 1
                if index >= bytes.count { break }
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                out += bytes[start..<index]
                return skipCFWS()
            }
            index += 1
        }
        return .invalid
    }

    // MARK: Grammar

    mutating func localPart(text: inout Bytes) -> Step {
        text = []
        let step = at("\"") ? quotedString(into: &text) : lenientDotAtom(into: &text)
        if step == .invalid { return .invalid }
        current.mailbox = text
        return step
    }

    mutating func domainPart() -> Step {
        var text = Bytes()
        let step = domain(into: &text)
        if step == .invalid { return .invalid }
        current.domain = text
        return step
    }

    /// obs-route: `@a,@b:` before the local part.
    mutating func route() -> Step {
        var text = Bytes()
        while true {
            guard index < bytes.count else { return .end }
            guard at("@") else { break }
            if !text.isEmpty { text.append(UInt8(ascii: ",")) }
            text.append(UInt8(ascii: "@"))
            let step = domain(into: &text)
            if step != .more { return step }
            while skipCFWS() == .more && at(",") { index += 1 }
        }
        current.route = text
        return .more
    }

    mutating func angleAddress() -> Step {
        index += 1
        if skipCFWS() != .more { return .invalid }
        if at("@") {
            if route() == .more && at(":") {
                index += 1
            } else {
                current.route = AddressParser.invalidRoute
                if index >= bytes.count { return .invalid }
            }
            if skipCFWS() != .more { return .invalid }
        }
        if !at(">") {
            var text = Bytes()
            if localPart(text: &text) != .more { return .invalid }
            if at("@") && domainPart() != .more { return .invalid }
        }
        guard at(">") else { return .invalid }
        index += 1
        return skipCFWS()
    }

    mutating func nameAddress() -> Step {
        var name = Bytes()
        guard phrase(into: &name) == .more, at("<") else { return .invalid }
        current.name = name.isEmpty ? nil : name
        if angleAddress() == .invalid {
            current.domain = AddressParser.syntaxError
            current.invalid = true
        }
        return more
    }

    mutating func addrSpec() -> Step {
        lastComment = []
        let quoted = at("\"")
        var text = Bytes()
        var step = localPart(text: &text)
        if step != .more { current.invalid = true }
        var domainStep: Step? = nil
        if step != .end && at("@") {
            domainStep = domainPart()
            if domainStep != .more { step = domainStep! }
        }
        if !lastComment.isEmpty {
            current.name = lastComment
        } else if domainStep == nil {
            // A word without @domain: the mailbox if it stands alone, else the start of a display name.
            text.append(ASCII.space)
            let before = text.count
            _ = phrase(into: &text)
            if text.count != before {
                current.mailbox = nil
                current.name = text
            } else if !quoted {
                current.domain = []
            }
            current.invalid = true
            step = .invalid
        }
        return step
    }

    mutating func appendCurrent() {
        addresses.append(Address(name: current.name, route: current.route, mailbox: current.mailbox, host: current.domain))
        current = Pending()
    }

    mutating func appendCurrentFilled() {
        if current.mailbox == nil {
            current.mailbox = AddressParser.missingMailbox
            current.invalid = true
        }
        if current.domain?.isEmpty ?? true {
            current.domain = AddressParser.missingDomain
            current.invalid = true
        }
        appendCurrent()
    }

    mutating func mailbox() -> Step {
        let start = index
        var step = nameAddress()
        if step == .invalid {
            index = start
            step = addrSpec()
            if current.invalid && current.name == nil && current.mailbox != nil && current.domain == nil {
                current.name = current.mailbox
                current.mailbox = nil
            }
        }
        appendCurrentFilled()
        return step
    }

    mutating func group() -> Step {
        var name = Bytes()
        guard phrase(into: &name) == .more, at(":") else { return .invalid }
        index += 1
        var step = skipCFWS()
        current.mailbox = name
        appendCurrent()
        if step == .more && !at(";") {
            while true {
                _ = mailbox()
                guard at(",") else { break }
                index += 1
                if skipCFWS() != .more {
                    step = .invalid
                    break
                }
            }
        }
        if step != .invalid {
            if at(";") {
                index += 1
                step = skipCFWS()
            } else {
                step = .invalid
            }
        }
        appendCurrent() // the group's end marker: all fields nil
        return step == .end ? .end : .more
    }

    mutating func addressList(limit: Int) -> [Address] {
        guard skipCFWS() == .more else { return [] }
        var remaining = limit
        while remaining > 0 {
            remaining -= 1
            let start = index
            var step = group()
            if step == .invalid {
                index = start
                current = Pending()
                step = mailbox()
            }
            if step == .end { break }
            guard at(",") else { break }
            index += 1
            let next = skipCFWS()
            if next != .more {
                if next == .invalid { appendCurrentFilled() }
                break
            }
        }
        return addresses
    }
}
