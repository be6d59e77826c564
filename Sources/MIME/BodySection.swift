/// A BODY[section] / BINARY[section] specifier (RFC 3501 §6.4.5, RFC 9051 §6.4.5, RFC 3516).
public struct BodySection: Sendable, Hashable, CustomStringConvertible {
    public enum Specifier: Sendable, Hashable {
        /// The whole part (or the whole message for an empty path).
        case full
        case header
        /// HEADER.FIELDS (names): case-insensitive names.
        case headerFields([String])
        case headerFieldsNot([String])
        case text
        case mime
    }

    /// Part numbers, 1-based: [] is the message, [1, 2] is "1.2".
    public var part: [Int]
    public var specifier: Specifier

    public init(part: [Int] = [], specifier: Specifier = .full) {
        self.part = part
        self.specifier = specifier
    }

    /// Parses the text between the brackets, e.g. `1.2.HEADER.FIELDS (From To)`, `2.MIME`, `` (empty), `TEXT`.
    /// nil for anything RFC 3501 does not allow (MIME without a part number, zero part numbers, junk).
    public init?(_ text: String) {
        var rest = Substring(text.trimmingSpaces)
        var numbers: [Int] = []
        while let first = rest.first, first.isASCII, first.isNumber {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard digits.count < 10, let n = Int(digits), n > 0 else { return nil }
            numbers.append(n)
            rest = rest.dropFirst(digits.count)
            if rest.first == "." { rest = rest.dropFirst() } else { break }
        }
        if numbers.isEmpty == false && text.hasSuffix(".") { return nil }
        part = numbers
        let upper = rest.uppercased()
        switch upper {
        case "":
            specifier = .full
        case "HEADER":
            specifier = .header
        case "TEXT":
            specifier = .text
        case "MIME":
            guard !numbers.isEmpty else { return nil }
            specifier = .mime
        default:
            let not = upper.hasPrefix("HEADER.FIELDS.NOT")
            guard not || upper.hasPrefix("HEADER.FIELDS") else { return nil }
            let list = rest.dropFirst(not ? 17 : 13).trimmingSpaces
            guard list.hasPrefix("("), list.hasSuffix(")") else { return nil }
            let names = list.dropFirst().dropLast().split(separator: " ").map { String($0).trimmingQuotes }
            guard !names.isEmpty else { return nil }
            specifier = not ? .headerFieldsNot(names) : .headerFields(names)
        }
    }

    public var description: String {
        var s = part.map(String.init).joined(separator: ".")
        let spec: String
        switch specifier {
        case .full: spec = ""
        case .header: spec = "HEADER"
        case .text: spec = "TEXT"
        case .mime: spec = "MIME"
        case .headerFields(let n): spec = "HEADER.FIELDS (" + n.joined(separator: " ") + ")"
        case .headerFieldsNot(let n): spec = "HEADER.FIELDS.NOT (" + n.joined(separator: " ") + ")"
        }
        if !s.isEmpty && !spec.isEmpty { s += "." }
        return s + spec
    }
}

/// `<origin.count>` of a FETCH: `count` octets from `origin` of the (CRLF) section.
public struct Partial: Sendable, Hashable {
    public var origin: Int
    public var count: Int
    public init(origin: Int, count: Int) {
        self.origin = origin
        self.count = count
    }

    func apply(_ bytes: Bytes) -> Bytes {
        guard origin < bytes.count, count > 0 else { return [] }
        return Array(bytes[origin..<min(bytes.count, origin + min(count, bytes.count))])
    }
}

public enum SectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The part path names no part of this message.
    case noSuchPart([Int])
    /// HEADER/TEXT on a part that is not a message/rfc822, or a similar misuse.
    case notAMessage([Int])
    /// BINARY on a Content-Transfer-Encoding this server cannot decode (RFC 3516 UNKNOWN-CTE).
    case unknownTransferEncoding(part: [Int], encoding: String)
    /// The cached structure does not fit the bytes given (wrong object, truncated download).
    case structureMismatch(expectedSize: Int, actualSize: Int)

    public var description: String {
        switch self {
        case .noSuchPart(let p): return "no such part \(p.map(String.init).joined(separator: "."))"
        case .notAMessage(let p): return "part \(p.map(String.init).joined(separator: ".")) is not a message"
        case .unknownTransferEncoding(let p, let e): return "unknown Content-Transfer-Encoding \(e) in part \(p.map(String.init).joined(separator: "."))"
        case .structureMismatch(let e, let a): return "structure is for \(e) bytes, message has \(a)"
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }

    var trimmingQuotes: String {
        var s = Substring(self)
        if s.count >= 2, s.first == "\"", s.last == "\"" { s = s.dropFirst().dropLast() }
        return String(s)
    }
}
