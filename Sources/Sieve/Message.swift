import Foundation
import MIME

/// The message a script runs against: its bytes (headers as editheader leaves them) and the SMTP envelope.
public struct SieveMessage: Sendable {
    public var bytes: [UInt8]
    /// MAIL FROM (empty for the null sender).
    public var envelopeFrom: String
    /// RCPT TO of this delivery.
    public var envelopeTo: String
    /// The authenticated submitter, if any (envelope "auth").
    public var envelopeAuth: String?

    public init(bytes: [UInt8], envelopeFrom: String, envelopeTo: String, envelopeAuth: String? = nil) {
        self.bytes = bytes
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.envelopeAuth = envelopeAuth
    }

    public var size: Int { bytes.count }
}

/// One header field by name and raw (folded) value, as editheader keeps them.
struct HeaderLine: Sendable, Hashable {
    var name: String
    /// The value after the colon, line breaks included except the last.
    var rawValue: [UInt8]

    /// Unfolded, trimmed, RFC 2047 words decoded: what the header test compares.
    var decodedValue: String {
        EncodedWords.decode(unfolded)
    }

    var unfolded: [UInt8] {
        var out: [UInt8] = []
        for b in rawValue where b != 13 && b != 10 { out.append(b) }
        while let f = out.first, f == 32 || f == 9 { out.removeFirst() }
        while let l = out.last, l == 32 || l == 9 { out.removeLast() }
        return out
    }
}

/// The message's header as an editable list plus its body.
struct EditableMessage {
    var headers: [HeaderLine]
    let body: ArraySlice<UInt8>
    let original: [UInt8]
    var edited = false

    init(_ bytes: [UInt8]) {
        original = bytes
        let block = HeaderBlock.parse(bytes)
        headers = block.fields.map { f in
            var end = f.end
            if end > f.valueStart && bytes[end - 1] == 10 { end -= 1 }
            if end > f.valueStart && bytes[end - 1] == 13 { end -= 1 }
            return HeaderLine(name: f.name, rawValue: Array(bytes[f.valueStart..<end]))
        }
        body = bytes[min(block.bodyStart, bytes.count)...]
    }

    func all(_ name: String) -> [HeaderLine] {
        let n = name.lowercased()
        return headers.filter { $0.name.lowercased() == n }
    }

    /// The message as stored: unchanged bytes unless editheader changed the header.
    var bytes: [UInt8] {
        guard edited else { return original }
        var out: [UInt8] = []
        for h in headers {
            out += Array(h.name.utf8)
            out.append(58)
            out += h.rawValue
            out += [13, 10]
        }
        // The original body slice starts after the blank line; keep the separator.
        out += [13, 10]
        out += body
        return out
    }
}

enum HeaderEdit {
    static let protectedFromDeletion: Set<String> = ["received", "auto-submitted"]

    static func isValidFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != 58 }
    }

    /// Folds a value for addheader: long lines break at blanks (RFC 5293 §4), non-ASCII becomes an encoded word.
    static func encode(_ value: String) -> [UInt8] {
        var text = value
        if value.utf8.contains(where: { $0 >= 128 }) {
            text = "=?UTF-8?B?" + String(decoding: Base64.encode(Array(value.utf8)), as: UTF8.self) + "?="
        }
        var out: [UInt8] = [32]
        var lineLength = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if lineLength > 0 && lineLength + word.utf8.count > 76 {
                out += [13, 10, 9]
                lineLength = 0
            } else if lineLength > 0 {
                out.append(32)
            }
            out += Array(word.utf8)
            lineLength += word.utf8.count + 1
        }
        return out
    }
}

/// Address headers the address test accepts values from (RFC 5228 §5.1).
enum AddressParts {
    struct Parsed {
        var local: String
        var domain: String?
    }

    static func parse(_ value: [UInt8]) -> [Parsed] {
        AddressParser.parse(value).compactMap { a in
            guard !a.isGroupStart, !a.isGroupEnd, let mb = a.mailbox else { return nil }
            return Parsed(local: String(decoding: mb, as: UTF8.self), domain: a.host.map { String(decoding: $0, as: UTF8.self) })
        }
    }

    /// Splits an envelope path (`<a@b>`, `a@b`, empty) into local part and domain.
    static func parsePath(_ path: String) -> Parsed? {
        var p = path.trimmingCharacters(in: .whitespaces)
        if p.hasPrefix("<") && p.hasSuffix(">") { p = String(p.dropFirst().dropLast()) }
        if p.isEmpty { return nil }
        if let at = p.lastIndex(of: "@") { return Parsed(local: String(p[..<at]), domain: String(p[p.index(after: at)...])) }
        return Parsed(local: p, domain: nil)
    }

    /// The part an address-part tag selects, or nil when it does not exist (:detail without a separator).
    static func part(_ a: Parsed, _ tag: String, separator: Character = "+") -> String? {
        switch tag {
        case "localpart": return a.local
        case "domain": return a.domain ?? ""
        case "user": return a.local.firstIndex(of: separator).map { String(a.local[..<$0]) } ?? a.local
        case "detail": return a.local.firstIndex(of: separator).map { String(a.local[a.local.index(after: $0)...]) }
        default: return a.domain.map { "\(a.local)@\($0)" } ?? a.local
        }
    }
}
