import Primitives

/// One `name=value` parameter of Content-Type or Content-Disposition, as BODYSTRUCTURE shows it:
/// RFC 2231 continuations are joined (`name*0`, `name*1` → `name`; extended ones → `name*` with the
/// `charset'language'` prefix and %-escapes kept, as Dovecot does). `decodedValue` gives the text.
public struct MIMEParameter: Sendable, Hashable {
    /// Name as written, `*` suffix kept for RFC 2231 extended values.
    public var name: Bytes
    public var value: Bytes

    public init(name: Bytes, value: Bytes) {
        self.name = name
        self.value = value
    }

    /// The base name without the RFC 2231 `*`.
    public var baseName: String {
        var n = name
        if n.last == UInt8(ascii: "*") { n.removeLast() }
        return n.text.lowercased()
    }

    /// The value as text: RFC 2231 `charset'lang'%XX` decoded, RFC 2047 encoded-words decoded (common in
    /// filenames even though RFC 2047 forbids them there).
    public var decodedValue: String {
        if name.last == UInt8(ascii: "*") { return RFC2231.decodeExtendedValue(value) }
        return EncodedWords.decode(value)
    }
}

/// A parsed `type/subtype; params` (Content-Type) or `token; params` (Content-Disposition) value.
struct MIMEHeaderValue {
    var primary: Bytes
    var secondary: Bytes?
    var parameters: [MIMEParameter]

    /// Lenient parse: unquoted values may hold any byte but `;` and blanks, comments are skipped.
    static func parse(_ value: Bytes, hasSubtype: Bool) -> MIMEHeaderValue? {
        var t = MIMETokenizer(bytes: value)
        t.skipCFWS()
        guard let primary = t.token(), !primary.isEmpty else { return nil }
        var secondary: Bytes? = nil
        if hasSubtype {
            t.skipCFWS()
            guard t.consume(UInt8(ascii: "/")) else { return nil }
            t.skipCFWS()
            guard let sub = t.token(), !sub.isEmpty else { return nil }
            secondary = sub
        }
        var raw: [(Bytes, Bytes)] = []
        while !t.atEnd {
            t.skipCFWS()
            if !t.consume(UInt8(ascii: ";")) {
                // Junk between parameters: skip to the next `;`.
                t.skip(until: UInt8(ascii: ";"))
                continue
            }
            t.skipCFWS()
            guard let name = t.token(), !name.isEmpty else { continue }
            t.skipCFWS()
            guard t.consume(UInt8(ascii: "=")) else { continue }
            t.skipCFWS()
            raw.append((name, t.value()))
        }
        return MIMEHeaderValue(primary: primary, secondary: secondary, parameters: RFC2231.join(raw))
    }
}

/// Tokenizer over RFC 2045 header values.
struct MIMETokenizer {
    let bytes: Bytes
    var index = 0

    var atEnd: Bool { index >= bytes.count }

    mutating func consume(_ b: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == b else { return false }
        index += 1
        return true
    }

    mutating func skip(until b: UInt8) {
        while index < bytes.count && bytes[index] != b {
            if bytes[index] == ASCII.quote { _ = quotedString() } else { index += 1 }
        }
    }

    /// Blanks and (nested) comments. Nesting depth is counted, not recursed, so junk cannot blow the stack.
    mutating func skipCFWS() {
        while index < bytes.count {
            let b = bytes[index]
            if ASCII.isSpace(b) {
                index += 1
                continue
            }
            if b == UInt8(ascii: "(") {
                var depth = 0
                while index < bytes.count {
                    let c = bytes[index]
                    index += 1
                    if c == ASCII.backslash {
                        index += 1
                        continue
                    }
                    if c == UInt8(ascii: "(") {
                        depth += 1
                    } else if c == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 { break }
                    }
                }
                index = min(index, bytes.count) // a trailing backslash skipped past the end
                continue
            }
            break
        }
    }

    static func isTSpecial(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), ASCII.backslash, ASCII.quote,
            UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "?"), UInt8(ascii: "="):
            return true
        default:
            return b <= 0x20 || b == 0x7F
        }
    }

    mutating func token() -> Bytes? {
        let s = index
        while index < bytes.count && !MIMETokenizer.isTSpecial(bytes[index]) { index += 1 }
        return index > s ? Array(bytes[s..<index]) : nil
    }

    /// A quoted string, unescaped. An unterminated one runs to the end.
    mutating func quotedString() -> Bytes {
        var out = Bytes()
        index += 1
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if b == ASCII.quote { break }
            if b == ASCII.backslash && index < bytes.count {
                out.append(bytes[index])
                index += 1
                continue
            }
            if b == ASCII.cr || b == ASCII.lf { continue }
            out.append(b)
        }
        return out
    }

    mutating func value() -> Bytes {
        if index < bytes.count && bytes[index] == ASCII.quote { return quotedString() }
        let s = index
        while index < bytes.count && bytes[index] != UInt8(ascii: ";") && !ASCII.isSpace(bytes[index]) { index += 1 }
        return Array(bytes[s..<index])
    }
}

/// RFC 2231 parameter value continuations and extended (charset'language'%XX) values.
public enum RFC2231 {
    /// Parameters as BODYSTRUCTURE lists them, in Dovecot's order: the plain ones as written (repeats
    /// kept), then the RFC 2231 ones by name, each name's `name*N` / `name*N*` sections joined (`name`, or
    /// `name*` when the first section is extended; values joined as written, no re-escaping). Sections that
    /// do not run 0, 1, 2 … without a gap or a repeat are listed one by one as `name*N[*]`.
    static func join(_ raw: [(Bytes, Bytes)]) -> [MIMEParameter] {
        struct Section {
            var base: Bytes
            var number: Int
            var extended: Bool
            var value: Bytes
            var order: Int
        }
        var result: [MIMEParameter] = []
        var sections: [Section] = []
        for (order, (name, value)) in raw.enumerated() {
            guard let star = name.firstIndex(of: UInt8(ascii: "*")) else {
                result.append(MIMEParameter(name: name, value: value))
                continue
            }
            var digits = name[(star + 1)...]
            let extended = digits.last == UInt8(ascii: "*") || digits.isEmpty
            if digits.last == UInt8(ascii: "*") { digits = digits.dropLast() }
            guard digits.count <= 6, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { continue }
            let number = digits.isEmpty ? 0 : Int(String(decoding: digits, as: UTF8.self)) ?? 0
            sections.append(Section(base: Array(name[..<star]), number: number, extended: extended, value: value, order: order))
        }
        sections.sort { a, b in
            let (x, y) = (a.base.asciiLowercased, b.base.asciiLowercased)
            if x != y { return x.lexicographicallyPrecedes(y) }
            return a.number != b.number ? a.number < b.number : a.order < b.order
        }
        var i = 0
        while i < sections.count {
            var j = i
            while j < sections.count && sections[j].base.asciiLowercased == sections[i].base.asciiLowercased { j += 1 }
            let group = sections[i..<j]
            if group.enumerated().allSatisfy({ $0.offset == $0.element.number }) {
                let name = group.first!.extended ? group.first!.base + [UInt8(ascii: "*")] : group.first!.base
                result.append(MIMEParameter(name: name, value: group.reduce(into: Bytes()) { $0 += $1.value }))
            } else {
                for section in group {
                    var name = section.base + [UInt8(ascii: "*")] + Array(String(section.number).utf8)
                    if section.extended { name.append(UInt8(ascii: "*")) }
                    result.append(MIMEParameter(name: name, value: section.value))
                }
            }
            i = j
        }
        return result
    }

    /// `charset'language'percent-encoded` → text. Without two quotes the value is taken as plain %-encoded UTF-8.
    public static func decodeExtendedValue(_ value: Bytes) -> String {
        var charset = "utf-8"
        var encoded = value[...]
        let quotes = value.indices.filter { value[$0] == UInt8(ascii: "'") }
        if quotes.count >= 2 {
            let cs = value[..<quotes[0]]
            if !cs.isEmpty { charset = String(decoding: cs, as: UTF8.self) }
            encoded = value[(quotes[1] + 1)...]
        }
        var raw = Bytes()
        var i = encoded.startIndex
        while i < encoded.endIndex {
            let b = encoded[i]
            if b == UInt8(ascii: "%"), let decoded = Hex.byte(at: i + 1, in: encoded) {
                raw.append(decoded)
                i += 3
            } else {
                raw.append(b)
                i += 1
            }
        }
        return Charsets.toUTF8(raw, charset: charset)
    }
}
