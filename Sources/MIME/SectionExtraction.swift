/// BODY[section], BINARY[section] and their sizes, sliced from the raw bytes with the structure's offsets.
///
/// Line endings: messages are stored as received; every section is served with CRLF line endings (bare LF
/// becomes CRLF), as Dovecot does and as IMAP requires. Sizes (RFC822.SIZE, BODYSTRUCTURE sizes) count the
/// bytes as served. BINARY of a `binary`-encoded part is the one exception: its bytes are served untouched.
extension MessageStructure {
    /// The index of the part a numeric path names. [] is the message itself; for a non-multipart message
    /// (top level or encapsulated) part 1 is that message's body part (RFC 3501 §6.4.5).
    public func partIndex(_ path: [Int]) throws(SectionError) -> Int {
        var current = 0
        for (step, n) in path.enumerated() {
            var container = current
            if step > 0 {
                let p = parts[current]
                switch p.kind {
                case .message:
                    guard let child = p.children.first else { throw .noSuchPart(path) }
                    container = child
                case .multipart:
                    container = current
                case .leaf:
                    throw .noSuchPart(path)
                }
            }
            let c = parts[container]
            if c.kind == .multipart {
                guard n <= c.children.count else { throw .noSuchPart(path) }
                current = c.children[n - 1]
            } else if n == 1 {
                current = container
            } else {
                throw .noSuchPart(path)
            }
        }
        return current
    }

    /// The message (top level or encapsulated) a HEADER/TEXT specifier of `path` refers to.
    private func messageIndex(_ path: [Int]) throws(SectionError) -> Int {
        let i = try partIndex(path)
        let p = parts[i]
        if path.isEmpty || (p.kind != .message && p.isMessageRoot) { return i }
        guard p.kind == .message, let child = p.children.first else { throw .notAMessage(path) }
        return child
    }

    /// The bytes of BODY[section]<partial>, CRLF line endings. `message` is the whole message, or for a section
    /// of the top-level header (HEADER, HEADER.FIELDS[.NOT]) just its header (`headerLength` bytes): FETCH of
    /// header fields reads no more of the object than that.
    public func section(_ section: BodySection, partial: Partial? = nil, in message: Bytes) throws(SectionError) -> Bytes {
        guard message.count == physicalSize || (Self.isTopLevelHeader(section) && message.count == headerLength) else {
            throw .structureMismatch(expectedSize: physicalSize, actualSize: message.count)
        }
        let out: Bytes
        switch section.specifier {
        case .full:
            if section.part.isEmpty {
                out = LineEndings.crlf(message[...])
            } else {
                let p = parts[try partIndex(section.part)]
                out = LineEndings.crlf(message[p.bodyStart..<p.end])
            }
        case .mime:
            let p = parts[try partIndex(section.part)]
            out = LineEndings.crlf(message[p.headerStart..<p.bodyStart])
        case .header:
            let p = parts[try messageIndex(section.part)]
            out = LineEndings.crlf(message[p.headerStart..<p.bodyStart])
        case .text:
            let p = parts[try messageIndex(section.part)]
            out = LineEndings.crlf(message[p.bodyStart..<p.end])
        case .headerFields(let names), .headerFieldsNot(let names):
            var include = true
            if case .headerFieldsNot = section.specifier { include = false }
            let p = parts[try messageIndex(section.part)]
            out = Self.headerFields(names, include: include, of: p.headerStart..<p.bodyStart, in: message)
        }
        return partial.map { $0.apply(out) } ?? out
    }

    /// Bytes of the top-level header, the empty line included.
    public var headerLength: Int { parts.first?.bodyStart ?? physicalSize }

    /// HEADER, HEADER.FIELDS or HEADER.FIELDS.NOT of the message itself: what its header alone answers.
    public static func isTopLevelHeader(_ section: BodySection) -> Bool {
        guard section.part.isEmpty else { return false }
        switch section.specifier {
        case .header, .headerFields, .headerFieldsNot: return true
        case .full, .mime, .text: return false
        }
    }

    /// HEADER, HEADER.FIELDS or HEADER.FIELDS.NOT of the message itself (`isTopLevelHeader`), from the bytes of
    /// its header alone, given where the header lies (`CachedMessageFields.topLevelHeader(serialized:)`): what a
    /// folder listing fetches, answered without building the message's structure.
    public static func topLevelHeaderSection(
        _ section: BodySection, partial: Partial? = nil, header: Range<Int>,
        in message: Bytes
    ) throws(SectionError) -> Bytes {
        guard isTopLevelHeader(section), header.upperBound <= message.count else {
            throw .structureMismatch(expectedSize: header.upperBound, actualSize: message.count)
        }
        let out: Bytes
        switch section.specifier {
        case .headerFields(let names): out = headerFields(names, include: true, of: header, in: message)
        case .headerFieldsNot(let names): out = headerFields(names, include: false, of: header, in: message)
        default: out = LineEndings.crlf(message[header])
        }
        return partial.map { $0.apply(out) } ?? out
    }

    /// HEADER.FIELDS: the matching fields as written (folding kept), in message order, then the empty line.
    private static func headerFields(_ names: [String], include: Bool, of header: Range<Int>, in message: Bytes) -> Bytes {
        let wanted = Set(names.map { $0.lowercased() })
        let block = HeaderBlock.parse(message, start: header.lowerBound, end: header.upperBound)
        var out = Bytes()
        for f in block.fields where wanted.contains(f.name.lowercased()) == include {
            var raw = LineEndings.crlf(message[f.start..<f.end])
            if raw.last != ASCII.lf { raw += [ASCII.cr, ASCII.lf] }
            out += raw
        }
        out += [ASCII.cr, ASCII.lf]
        return out
    }

    /// BINARY[section]<partial> (RFC 3516): the part's body with its Content-Transfer-Encoding removed.
    public func binarySection(_ path: [Int], partial: Partial? = nil, in message: Bytes) throws(SectionError) -> Bytes {
        guard message.count == physicalSize else { throw .structureMismatch(expectedSize: physicalSize, actualSize: message.count) }
        if path.isEmpty { return partial.map { $0.apply(LineEndings.crlf(message[...])) } ?? LineEndings.crlf(message[...]) }
        let p = parts[try partIndex(path)]
        let body = message[p.bodyStart..<p.end]
        let encoding = p.encoding.map { $0.text.lowercased() } ?? "7bit"
        let out: Bytes
        switch encoding {
        case "7bit", "8bit", "":
            out = LineEndings.crlf(body)
        case "binary":
            out = Array(body)
        case "base64":
            out = Base64.decode(body)
        case "quoted-printable":
            out = QuotedPrintable.decode(body)
        default:
            throw .unknownTransferEncoding(part: path, encoding: encoding)
        }
        return partial.map { $0.apply(out) } ?? out
    }

    /// BINARY.SIZE[section].
    public func binarySize(_ path: [Int], in message: Bytes) throws(SectionError) -> Int {
        try binarySection(path, in: message).count
    }
}

extension MIMEMessage {
    public func section(_ section: BodySection, partial: Partial? = nil) throws(SectionError) -> Bytes {
        try structure.section(section, partial: partial, in: bytes)
    }

    public func binarySection(_ path: [Int], partial: Partial? = nil) throws(SectionError) -> Bytes {
        try structure.binarySection(path, partial: partial, in: bytes)
    }

    public func binarySize(_ path: [Int]) throws(SectionError) -> Int {
        try structure.binarySize(path, in: bytes)
    }
}

/// Bare LF → CRLF, the form IMAP serves.
public enum LineEndings {
    public static func crlf(_ slice: ArraySlice<UInt8>) -> Bytes {
        slice.withUnsafeBytes { buffer -> Bytes in
            var out = Bytes()
            out.reserveCapacity(buffer.count + buffer.count / 32)
            var pos = 0
            while let lf = buffer.firstIndex(of: ASCII.lf, from: pos, to: buffer.count) {
                // Slices always start after an LF (part offsets do), so an LF first in the slice is bare.
                let bare = lf == 0 || buffer[lf - 1] != ASCII.cr
                out += buffer[pos..<lf]
                if bare { out.append(ASCII.cr) }
                out.append(ASCII.lf)
                pos = lf + 1
            }
            out += buffer[pos..<buffer.count]
            return out
        }
    }
}

extension MessageStructure {
    /// Every part with its IMAP part number, in document order: what `partIndex` accepts, inverted.
    /// A non-multipart message (top level or encapsulated) appears as part "1" of itself.
    public func numberedParts() -> [(path: [Int], index: Int)] {
        var out: [(path: [Int], index: Int)] = []
        enum Item {
            case message(Int, [Int])
            case part(Int, [Int])
        }
        var stack: [Item] = [.message(0, [])]
        while let item = stack.popLast() {
            switch item {
            case .message(let m, let prefix):
                let root = parts[m]
                if root.kind == .multipart {
                    for (k, c) in root.children.enumerated().reversed() { stack.append(.part(c, prefix + [k + 1])) }
                } else {
                    stack.append(.part(m, prefix + [1]))
                }
            case .part(let i, let path):
                out.append((path, i))
                let p = parts[i]
                switch p.kind {
                case .multipart where i != 0 || !path.isEmpty:
                    for (k, c) in p.children.enumerated().reversed() { stack.append(.part(c, path + [k + 1])) }
                case .message:
                    if let c = p.children.first { stack.append(.message(c, path)) }
                default:
                    break
                }
            }
        }
        return out
    }
}
