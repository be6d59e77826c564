import Foundation

/// Text for IMAP SEARCH and PREVIEW: everything decoded to UTF-8.
public struct SearchText: Sendable, Hashable {
    /// Every header block as `Name: decoded value` lines (RFC 2047 decoded): the message's, each MIME
    /// part's and each encapsulated message's. RFC 3501's TEXT searches "the header or body", and the body
    /// holds the part headers (`Content-Type: application/pdf; name="report.pdf"`), as Dovecot searches them.
    public var header: String
    /// The text of every text/* part (attachments too), HTML reduced: what SEARCH BODY looks at. No header
    /// lines, not even those of encapsulated messages (Dovecot's BODY skips every header).
    public var body: String
    /// SEARCH TEXT: header and body.
    public var all: String { header + "\n" + body }
}

extension MessageStructure {
    /// A leaf part's body with its transfer encoding removed; unknown encodings give the bytes as stored.
    public func decodedBody(ofPart index: Int, in message: Bytes) -> Bytes {
        let p = parts[index]
        let body = message[p.bodyStart..<p.end]
        switch p.encoding.map({ $0.text.lowercased() }) ?? "" {
        case "base64": return Base64.decode(body)
        case "quoted-printable": return QuotedPrintable.decode(body)
        default: return Array(body)
        }
    }

    /// A text part's content as UTF-8 (charset converted; HTML reduced to text if `reduceHTML`).
    public func text(ofPart index: Int, in message: Bytes, reduceHTML: Bool = true) -> String {
        let p = parts[index]
        let s = Charsets.toUTF8(decodedBody(ofPart: index, in: message), charset: p.charset)
        return reduceHTML && p.typeIs("text", "html") ? HTMLText.toText(s) : s
    }

    func decodedHeader(of index: Int, in message: Bytes) -> String {
        let p = parts[index]
        let block = HeaderBlock.parse(message, start: p.headerStart, end: p.bodyStart)
        return block.fields.map { $0.name + ": " + EncodedWords.decode($0.searchValue(in: message)) }.joined(separator: "\n")
    }

    public func searchText(in message: Bytes) -> SearchText {
        var headers: [String] = []
        var body: [String] = []
        var stack = [0]
        while let i = stack.popLast() {
            let p = parts[i]
            headers.append(decodedHeader(of: i, in: message))
            switch p.kind {
            case .leaf:
                if p.typeIs("text") { body.append(text(ofPart: i, in: message)) }
            case .multipart, .message:
                stack += p.children.reversed()
            }
        }
        return SearchText(header: headers.joined(separator: "\n"), body: body.joined(separator: "\n"))
    }

    /// RFC 8970 PREVIEW: the first non-attachment text/plain or text/html part, HTML reduced, whitespace
    /// collapsed, at most 200 characters and 256 octets. nil when the message has no such text.
    public func preview(in message: Bytes) -> String? {
        for i in leafParts() {
            let p = parts[i]
            guard p.typeIs("text", "plain") || p.typeIs("text", "html"), !p.isAttachment else { continue }
            // 200 characters never need the whole body: decode a prefix (HTML gets more for <head>/<style>).
            var raw = decodedBody(ofPart: i, in: message)
            let limit = p.typeIs("text", "html") ? 65_536 : 2_048
            if raw.count > limit { raw = Self.cutAtCharacterBoundary(raw, limit) }
            var text = Charsets.toUTF8(raw, charset: p.charset)
            if p.typeIs("text", "html") { text = HTMLText.toText(text) }
            var out = ""
            var octets = 0
            for ch in Self.collapseWhitespace(text, limit: 200) {
                octets += ch.utf8.count
                if octets > 256 { break }
                out.append(ch)
            }
            return out
        }
        return nil
    }

    /// Cuts before a trailing incomplete UTF-8 sequence, so a prefix of UTF-8 text stays valid UTF-8.
    static func cutAtCharacterBoundary(_ bytes: Bytes, _ limit: Int) -> Bytes {
        var end = limit
        var back = 0
        while end > 0, back < 4, bytes[end - 1] & 0xC0 == 0x80 {
            end -= 1
            back += 1
        }
        if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
        return Array(bytes[..<end])
    }

    /// Runs of whitespace and control characters become one space, trimmed; stops after `limit` characters.
    /// Works on UTF-8 bytes and scalars (cheap) and counts characters only on the short result.
    static func collapseWhitespace(_ s: String, limit: Int = Int.max) -> String {
        var out = Bytes()
        var pendingSpace = false
        // Characters are rarely more than three scalars; the character cut happens on the short result.
        let scalarBudget = limit == Int.max ? Int.max : limit * 3
        var taken = 0
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let blank =
                v < 0x80
                ? (v <= 0x20 || v == 0x7F)
                : (scalar.properties.isWhitespace || scalar.properties.generalCategory == .control)
            if blank {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(ASCII.space) }
            pendingSpace = false
            if v < 0x80 { out.append(UInt8(v)) } else { out += UTF8.encode(scalar)! }
            taken += 1
            if taken >= scalarBudget { break }
        }
        let result = String(decoding: out, as: UTF8.self)
        return limit == Int.max ? result : String(result.prefix(limit))
    }
}

extension MIMEMessage {
    public var searchText: SearchText { structure.searchText(in: bytes) }
    public var preview: String? { structure.preview(in: bytes) }
}

/// Case-insensitive matching for SEARCH per the i;unicode-casemap collation (RFC 5051). RFC 5051 folds to
/// titlecase after NFKD; we use NFKD then Swift's full lowercase mapping, which makes the same characters
/// equal for all but a few titlecase digraphs (e.g. "ǅ"), whose lowercase and titlecase forms both fold alike.
public enum UnicodeCasemap {
    public static func fold(_ s: String) -> String {
        // NFKD leaves ASCII unchanged, and Foundation's decomposition is slow: SORT folds four fields per message.
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.lowercased() }
        return s.decomposedStringWithCompatibilityMapping.lowercased()
    }

    /// The SORT form of a text (RFC 5256 via RFC 5051): compatibility-decomposed and titlecased, compared by
    /// octets. Titlecase, not lowercase, decides where `_`, `[`, `^` and the like sort against letters, and
    /// it is what Dovecot compares.
    public static func titlecaseKey(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.uppercased() }
        var out = String.UnicodeScalarView()
        for scalar in s.decomposedStringWithCompatibilityMapping.unicodeScalars {
            out.append(contentsOf: scalar.properties.titlecaseMapping.unicodeScalars)
        }
        return String(out)
    }

    /// Whether `needle` occurs in `haystack` under the casemap (SEARCH SUBJECT/BODY/TEXT semantics).
    public static func contains(_ haystack: String, _ needle: String) -> Bool {
        let n = fold(needle)
        return n.isEmpty || containsFolded(fold(haystack), n)
    }

    /// `contains` for a haystack and needle both already `fold`ed (a SEARCH comparing one needle with many values).
    public static func containsFolded(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        var h = haystack
        var n = needle
        // RFC 5051 compares the canonical forms' octets; Foundation's String.contains (NSString's range(of:))
        // costs more than the folding. UTF-8 is self-synchronising: a match always starts on a scalar.
        return h.withUTF8 { hay in n.withUTF8 { Self.occurs($0, in: hay) } }
    }

    static func occurs(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return needle.isEmpty }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var index = 1
                while index < needle.count && haystack[start + index] == needle[index] { index += 1 }
                if index == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}
