/// Writes IMAP wire syntax (RFC 3501 §9 / RFC 9051 §9): NIL, quoted strings and literals, ENVELOPE, BODY
/// and BODYSTRUCTURE. The Server emits the result verbatim.
public struct IMAPWriter: Sendable {
    public var bytes: Bytes = []

    public init() {}

    mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }   // contiguous copy, not the generic per-element path
    }

    /// A string: quoted if it is plain 7-bit text, otherwise a literal `{n}\r\n…` (CR, LF or 8-bit bytes
    /// cannot be quoted). NUL can appear in neither: it becomes 0x80, as Dovecot does.
    public mutating func string(_ value: Bytes) {
        var needsLiteral = false
        var hasNUL = false
        for b in value {
            if b == 0 {
                hasNUL = true
            } else if b >= 0x80 || b == ASCII.cr || b == ASCII.lf {
                needsLiteral = true
            }
        }
        let v = hasNUL ? value.map { $0 == 0 ? 0x80 : $0 } : value
        if hasNUL { needsLiteral = true }
        if needsLiteral {
            raw("{\(v.count)}\r\n")
            bytes += v
            return
        }
        bytes.append(ASCII.quote)
        for b in v {
            if b == ASCII.quote || b == ASCII.backslash { bytes.append(ASCII.backslash) }
            bytes.append(b)
        }
        bytes.append(ASCII.quote)
    }

    /// Subjects and display names, cleaned up for reading as Dovecot 2.3 does: TAB/CR/LF become spaces, runs
    /// of blanks collapse to one, leading and trailing blanks go, NUL becomes U+FFFD. Text that needed any of
    /// that, or holds `"`, `\` or 8-bit bytes, goes as a literal, text that was only blanks as `""`, the rest
    /// quoted: Dovecot's forms, which strict clients compare byte for byte.
    public mutating func humanString(_ value: Bytes?) {
        guard let value else { return raw("NIL") }
        var out = Bytes()
        out.reserveCapacity(value.count)
        var lastBlank = true, cleaned = false
        for b in value {
            switch b {
            case ASCII.space, ASCII.tab, ASCII.cr, ASCII.lf:
                if b != ASCII.space || lastBlank { cleaned = true }
                if !lastBlank { out.append(ASCII.space) }
                lastBlank = true
            case 0:
                out += [0xEF, 0xBF, 0xBD]
                cleaned = true
                lastBlank = false
            default:
                if b == ASCII.quote || b == ASCII.backslash || b >= 0x80 { cleaned = true }
                out.append(b)
                lastBlank = false
            }
        }
        if out.last == ASCII.space {
            out.removeLast()
            cleaned = true
        }
        if !cleaned { return string(out) }
        if out.isEmpty { return raw("\"\"") }
        raw("{\(out.count)}\r\n")
        bytes += out
    }

    public mutating func nstring(_ value: Bytes?) {
        if let value { string(value) } else { raw("NIL") }
    }

    mutating func addresses(_ list: [Address]?) {
        guard let list, !list.isEmpty else { return raw("NIL") }
        bytes.append(UInt8(ascii: "("))
        for a in list {
            bytes.append(UInt8(ascii: "("))
            humanString(a.name)
            bytes.append(ASCII.space)
            nstring(a.route)
            bytes.append(ASCII.space)
            nstring(a.mailbox)
            bytes.append(ASCII.space)
            nstring(a.host)
            bytes.append(UInt8(ascii: ")"))
        }
        bytes.append(UInt8(ascii: ")"))
    }

    public mutating func envelope(_ e: Envelope) {
        bytes.append(UInt8(ascii: "("))
        nstring(e.date); bytes.append(ASCII.space)
        humanString(e.subject); bytes.append(ASCII.space)
        addresses(e.from); bytes.append(ASCII.space)
        addresses(e.sender); bytes.append(ASCII.space)
        addresses(e.replyTo); bytes.append(ASCII.space)
        addresses(e.to); bytes.append(ASCII.space)
        addresses(e.cc); bytes.append(ASCII.space)
        addresses(e.bcc); bytes.append(ASCII.space)
        nstring(e.inReplyTo); bytes.append(ASCII.space)
        nstring(e.messageID)
        bytes.append(UInt8(ascii: ")"))
    }

    mutating func parameters(_ params: [MIMEParameter]) {
        guard !params.isEmpty else { return raw("NIL") }
        bytes.append(UInt8(ascii: "("))
        for (i, p) in params.enumerated() {
            if i > 0 { bytes.append(ASCII.space) }
            string(p.name)
            bytes.append(ASCII.space)
            string(p.value)
        }
        bytes.append(UInt8(ascii: ")"))
    }

    mutating func disposition(_ part: MIMEPart) {
        guard let d = part.disposition else { return raw("NIL") }
        bytes.append(UInt8(ascii: "("))
        string(d)
        bytes.append(ASCII.space)
        parameters(part.dispositionParameters)
        bytes.append(UInt8(ascii: ")"))
    }

    mutating func language(_ tags: [Bytes]?) {
        // Always a list, as Dovecot writes it (RFC 3501 allows a single string too).
        guard let tags, !tags.isEmpty else { return raw("NIL") }
        bytes.append(UInt8(ascii: "("))
        for (i, t) in tags.enumerated() {
            if i > 0 { bytes.append(ASCII.space) }
            string(t)
        }
        bytes.append(UInt8(ascii: ")"))
    }

    /// BODYSTRUCTURE (`extensible`) or BODY of `structure.parts[index]`. Iterative: the nesting is bounded
    /// by the parser's limit, but an explicit stack keeps any cached structure safe too.
    public mutating func body(_ structure: MessageStructure, part index: Int, extensible: Bool) {
        enum Step { case open(Int), closeMultipart(Int), closeMessage(Int) }
        var stack: [Step] = [.open(index)]
        while let step = stack.popLast() {
            switch step {
            case .open(let i):
                let p = structure.parts[i]
                switch p.kind {
                case .multipart:
                    bytes.append(UInt8(ascii: "("))
                    stack.append(.closeMultipart(i))
                    // A multipart needs at least one body: show an empty text part, as Dovecot does.
                    if p.children.isEmpty { emptyTextPart(extensible: extensible) }
                    for c in p.children.reversed() { stack.append(.open(c)) }
                case .message:
                    singlePartFields(p)
                    bytes.append(ASCII.space)
                    envelope(p.children.first.flatMap { structure.parts[$0].envelope } ?? Envelope())
                    bytes.append(ASCII.space)
                    stack.append(.closeMessage(i))
                    if let c = p.children.first {
                        stack.append(.open(c))
                    } else {
                        emptyTextPart(extensible: extensible)
                    }
                case .leaf:
                    singlePartFields(p)
                    if p.typeIs("text") { raw(" \(p.bodyLines)") }
                    if extensible { singlePartExtension(p) }
                    bytes.append(UInt8(ascii: ")"))
                }
            case .closeMultipart(let i):
                let p = structure.parts[i]
                bytes.append(ASCII.space)
                string(p.subtype)
                if extensible {
                    bytes.append(ASCII.space)
                    parameters(p.parameters)
                    dispositionLanguageLocation(p)
                }
                bytes.append(UInt8(ascii: ")"))
            case .closeMessage(let i):
                let p = structure.parts[i]
                raw(" \(p.bodyLines)")
                if extensible { singlePartExtension(p) }
                bytes.append(UInt8(ascii: ")"))
            }
        }
    }

    private mutating func emptyTextPart(extensible: Bool) {
        raw("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0")
        if extensible { raw(" NIL NIL NIL NIL") }
        raw(")")
    }

    /// `("type" "subtype" params id description encoding size` (the part's opening parenthesis included).
    private mutating func singlePartFields(_ p: MIMEPart) {
        bytes.append(UInt8(ascii: "("))
        string(p.type)
        bytes.append(ASCII.space)
        string(p.subtype)
        bytes.append(ASCII.space)
        var params = p.parameters
        if p.typeIs("text") && !params.contains(where: { $0.baseName == "charset" }) {
            params.append(MIMEParameter(name: Array("charset".utf8), value: Array("us-ascii".utf8)))   // last, as Dovecot
        }
        parameters(params)
        bytes.append(ASCII.space)
        nstring(p.id)
        bytes.append(ASCII.space)
        nstring(p.description)
        bytes.append(ASCII.space)
        string(p.encoding ?? Array("7bit".utf8))
        raw(" \(p.virtualBodySize)")
    }

    private mutating func singlePartExtension(_ p: MIMEPart) {
        bytes.append(ASCII.space)
        nstring(p.md5)
        dispositionLanguageLocation(p)
    }

    /// The extension fields multipart and single-part bodies share: ` disposition language location`.
    private mutating func dispositionLanguageLocation(_ p: MIMEPart) {
        bytes.append(ASCII.space)
        disposition(p)
        bytes.append(ASCII.space)
        language(p.language)
        bytes.append(ASCII.space)
        nstring(p.location)
    }
}
