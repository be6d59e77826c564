import CZlib
import Primitives

extension CachedMessageFields {
    public func serialized() -> Bytes {
        var w = BinaryWriter(bytes: Self.magic + [Self.currentVersion])
        let s = structure
        w.varint(s.physicalSize)
        w.varint(s.virtualSize)
        w.varint(s.parts.count)
        for p in s.parts { Self.write(p, to: &w) }
        w.varint(headers.count)
        for (name, value) in headers {
            w.string(name)
            w.data(value)
        }
        w.optionalData(preview.map { Array($0.utf8) })
        w.littleEndian(CRC32.checksum(w.bytes[...]))
        return w.bytes
    }

    /// A reader over the fields, after the magic, version and checksum are checked.
    private static func checkedReader(_ bytes: Bytes) throws(CachedFieldsError) -> BinaryReader {
        guard bytes.count >= Self.magic.count + 1 else { throw .truncated(offset: bytes.count) }
        guard Array(bytes[0..<4]) == Self.magic else { throw .badMagic }
        guard bytes[4] == Self.currentVersion else { throw .unsupportedVersion(bytes[4]) }
        guard bytes.count >= 9 else { throw .truncated(offset: bytes.count) }
        let bodyEnd = bytes.count - 4
        let stored = UInt32(bytes[bodyEnd]) | UInt32(bytes[bodyEnd + 1]) << 8 | UInt32(bytes[bodyEnd + 2]) << 16 | UInt32(bytes[bodyEnd + 3]) << 24
        guard CRC32.checksum(bytes[0..<bodyEnd]) == stored else { throw .checksumMismatch }
        return BinaryReader(bytes, from: 5, to: bodyEnd)
    }

    /// Only the cached header fields, as `init(serialized:)` would give them: what SEARCH reads. The parts are
    /// stepped over instead of built (building them was most of a header search's CPU).
    public static func headers(serialized bytes: Bytes) throws(CachedFieldsError) -> [(name: String, value: Bytes)] {
        var r = try checkedReader(bytes)
        return try decoding { () throws(BinaryDecodingError) in
            _ = try r.varint(max: Int.max)
            _ = try r.varint(max: Int.max)
            let count = try r.varint(max: 1_000_000)
            guard count >= 1 else { throw .corrupt("no parts") }
            for _ in 0..<count { try skipPart(&r) }
            return try readHeaders(&r)
        }
    }

    /// Where the message's own header lies (from its start to the empty line, included), as `init(serialized:)`
    /// would give `structure.parts[0]`: all a FETCH of header fields needs. Reads the first part's offsets only
    /// (building every part, envelope and addresses included, was a third of such a FETCH's CPU).
    public static func topLevelHeader(serialized bytes: Bytes) throws(CachedFieldsError) -> Range<Int> {
        var r = try checkedReader(bytes)
        return try decoding { () throws(BinaryDecodingError) in
            let physical = try r.varint(max: Int.max)
            _ = try r.varint(max: Int.max)
            guard try r.varint(max: 1_000_000) >= 1 else { throw .corrupt("no parts") }
            guard try r.byte() <= 2 else { throw .corrupt("part kind") }
            _ = try r.byte()
            let headerStart = try r.varint(max: Int.max / 4)
            let headerLength = try r.varint(max: Int.max / 4)
            guard headerStart + headerLength <= physical else { throw .corrupt("part 0 offsets out of range") }
            return headerStart..<(headerStart + headerLength)
        }
    }

    public init(serialized bytes: Bytes) throws(CachedFieldsError) {
        var r = try Self.checkedReader(bytes)
        self = try Self.decoding { () throws(BinaryDecodingError) in
            let physical = try r.varint(max: Int.max)
            let virtual = try r.varint(max: Int.max)
            let count = try r.varint(max: 1_000_000)
            guard count >= 1 else { throw .corrupt("no parts") }
            var parts: [MIMEPart] = []
            parts.reserveCapacity(min(count, 10_000))
            for _ in 0..<count { parts.append(try Self.readPart(&r)) }
            try Self.validate(parts, physicalSize: physical)
            let headers = try Self.readHeaders(&r)
            let previewBytes = try r.optionalData()
            var preview: String? = nil
            if let pb = previewBytes {
                guard let s = String(validating: pb, as: UTF8.self) else { throw .corrupt("preview is not UTF-8") }
                preview = s
            }
            guard r.isAtEnd else { throw .corrupt("trailing bytes at \(r.index)") }
            guard virtual >= physical else { throw .corrupt("virtual size below physical size") }
            return CachedMessageFields(
                structure: MessageStructure(parts: parts, physicalSize: physical, virtualSize: virtual),
                headers: headers, preview: preview)
        }
    }

    /// The record's own errors for what the reader found wrong.
    private static func decoding<T>(_ body: () throws(BinaryDecodingError) -> T) throws(CachedFieldsError) -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .truncated(let offset): throw .truncated(offset: offset)
            case .corrupt(let why): throw .corrupt(why)
            }
        }
    }

    static func readHeaders(_ r: inout BinaryReader) throws(BinaryDecodingError) -> [(name: String, value: Bytes)] {
        let headerCount = try r.varint(max: 1_000)
        var headers: [(name: String, value: Bytes)] = []
        headers.reserveCapacity(headerCount)
        for _ in 0..<headerCount { headers.append((try r.string(), try r.data())) }
        return headers
    }

    /// Steps over what `readPart` reads, field for field.
    static func skipPart(_ r: inout BinaryReader) throws(BinaryDecodingError) {
        guard try r.byte() <= 2 else { throw .corrupt("part kind") }
        _ = try r.byte()
        for _ in 0..<3 { _ = try r.varint(max: Int.max / 4) }
        _ = try r.partNumber()
        let childCount = try r.varint(max: 1_000_000)
        for _ in 0..<childCount { _ = try r.partNumber() }
        try r.skipData()
        try r.skipData()
        try skipParameters(&r)
        for _ in 0..<5 { try r.skipOptionalData() }
        try skipParameters(&r)
        let languageCount = try r.varint(max: 10_000)
        for _ in 0..<max(0, languageCount - 1) { try r.skipData() }
        try r.skipOptionalData()
        for _ in 0..<3 { _ = try r.varint(max: Int.max) }
        switch try r.byte() {
        case 0: break
        case 1:
            try r.skipOptionalData()
            try r.skipOptionalData()
            for _ in 0..<6 {
                let n = try r.varint(max: 1_000_000)
                for _ in 0..<(max(0, n - 1) * 4) { try r.skipOptionalData() }
            }
            try r.skipOptionalData()
            try r.skipOptionalData()
        case let t: throw .corrupt("envelope tag \(t)")
        }
    }

    static func skipParameters(_ r: inout BinaryReader) throws(BinaryDecodingError) {
        let n = try r.varint(max: 100_000)
        for _ in 0..<(n * 2) { try r.skipData() }
    }

    /// A tree, parents first, offsets inside the message: what every consumer relies on, checked once here.
    static func validate(_ parts: [MIMEPart], physicalSize: Int) throws(BinaryDecodingError) {
        var seenAsChild = [Bool](repeating: false, count: parts.count)
        for (i, p) in parts.enumerated() {
            guard p.headerStart <= p.bodyStart, p.bodyStart <= p.end, p.end <= physicalSize else {
                throw .corrupt("part \(i) offsets out of range")
            }
            guard (i == 0) == (p.parent == nil), p.parent.map({ $0 < i }) ?? true else { throw .corrupt("part \(i) parent") }
            if p.kind == .leaf && !p.children.isEmpty { throw .corrupt("leaf part \(i) has children") }
            if p.kind == .message && p.children.count > 1 { throw .corrupt("message part \(i) has \(p.children.count) children") }
            for c in p.children {
                guard c > i, c < parts.count, !seenAsChild[c], parts[c].parent == i else { throw .corrupt("part \(i) child \(c)") }
                seenAsChild[c] = true
            }
        }
        for i in 1..<max(1, parts.count) where !seenAsChild[i] { throw .corrupt("part \(i) is orphaned") }
    }

    static func write(_ p: MIMEPart, to w: inout BinaryWriter) {
        w.bytes.append(p.kind == .leaf ? 0 : p.kind == .multipart ? 1 : 2)
        w.bytes.append(p.isMessageRoot ? 1 : 0)
        w.varint(p.headerStart)
        w.varint(p.bodyStart - p.headerStart)
        w.varint(p.end - p.bodyStart)
        w.varint(p.parent.map { $0 + 1 } ?? 0)
        w.varint(p.children.count)
        for c in p.children { w.varint(c) }
        w.data(p.type)
        w.data(p.subtype)
        writeParameters(p.parameters, to: &w)
        w.optionalData(p.id)
        w.optionalData(p.description)
        w.optionalData(p.encoding)
        w.optionalData(p.md5)
        w.optionalData(p.disposition)
        writeParameters(p.dispositionParameters, to: &w)
        if let language = p.language {
            w.varint(language.count + 1)
            for l in language { w.data(l) }
        } else {
            w.varint(0)
        }
        w.optionalData(p.location)
        w.varint(p.bodyLines)
        w.varint(p.virtualBodySize)
        w.varint(p.virtualHeaderSize)
        if let e = p.envelope {
            w.bytes.append(1)
            writeEnvelope(e, to: &w)
        } else {
            w.bytes.append(0)
        }
    }

    static func readPart(_ r: inout BinaryReader) throws(BinaryDecodingError) -> MIMEPart {
        let kind: MIMEPart.Kind
        switch try r.byte() {
        case 0: kind = .leaf
        case 1: kind = .multipart
        case 2: kind = .message
        case let k: throw .corrupt("part kind \(k)")
        }
        let isRoot = try r.byte() != 0
        let headerStart = try r.varint(max: Int.max / 4)
        let bodyStart = headerStart + (try r.varint(max: Int.max / 4))
        let end = bodyStart + (try r.varint(max: Int.max / 4))
        let parentPlusOne = try r.partNumber()
        let childCount = try r.varint(max: 1_000_000)
        var children: [Int] = []
        for _ in 0..<childCount { children.append(try r.partNumber()) }
        let type = try r.data()
        let subtype = try r.data()
        let parameters = try readParameters(&r)
        let id = try r.optionalData()
        let description = try r.optionalData()
        let encoding = try r.optionalData()
        let md5 = try r.optionalData()
        let disposition = try r.optionalData()
        let dispositionParameters = try readParameters(&r)
        let languageCount = try r.varint(max: 10_000)
        var language: [Bytes]? = nil
        if languageCount > 0 {
            var l: [Bytes] = []
            for _ in 0..<(languageCount - 1) { l.append(try r.data()) }
            language = l
        }
        let location = try r.optionalData()
        let bodyLines = try r.varint(max: Int.max)
        let virtualBodySize = try r.varint(max: Int.max)
        let virtualHeaderSize = try r.varint(max: Int.max)
        var envelope: Envelope? = nil
        switch try r.byte() {
        case 0: break
        case 1: envelope = try readEnvelope(&r)
        case let t: throw .corrupt("envelope tag \(t)")
        }
        return MIMEPart(
            kind: kind, headerStart: headerStart, bodyStart: bodyStart, end: end,
            parent: parentPlusOne == 0 ? nil : parentPlusOne - 1, children: children, isMessageRoot: isRoot,
            type: type, subtype: subtype, parameters: parameters, id: id, description: description,
            encoding: encoding, md5: md5, disposition: disposition, dispositionParameters: dispositionParameters,
            language: language, location: location, bodyLines: bodyLines, virtualBodySize: virtualBodySize,
            virtualHeaderSize: virtualHeaderSize, envelope: envelope)
    }

    static func writeParameters(_ params: [MIMEParameter], to w: inout BinaryWriter) {
        w.varint(params.count)
        for p in params {
            w.data(p.name)
            w.data(p.value)
        }
    }

    static func readParameters(_ r: inout BinaryReader) throws(BinaryDecodingError) -> [MIMEParameter] {
        let n = try r.varint(max: 100_000)
        var out: [MIMEParameter] = []
        for _ in 0..<n { out.append(MIMEParameter(name: try r.data(), value: try r.data())) }
        return out
    }

    static func writeEnvelope(_ e: Envelope, to w: inout BinaryWriter) {
        w.optionalData(e.date)
        w.optionalData(e.subject)
        for list in [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc] {
            guard let list else {
                w.varint(0)
                continue
            }
            w.varint(list.count + 1)
            for a in list {
                w.optionalData(a.name)
                w.optionalData(a.route)
                w.optionalData(a.mailbox)
                w.optionalData(a.host)
            }
        }
        w.optionalData(e.inReplyTo)
        w.optionalData(e.messageID)
    }

    static func readEnvelope(_ r: inout BinaryReader) throws(BinaryDecodingError) -> Envelope {
        var e = Envelope()
        e.date = try r.optionalData()
        e.subject = try r.optionalData()
        var lists: [[Address]?] = []
        for _ in 0..<6 {
            let n = try r.varint(max: 1_000_000)
            if n == 0 {
                lists.append(nil)
                continue
            }
            var list: [Address] = []
            for _ in 0..<(n - 1) {
                list.append(
                    Address(
                        name: try r.optionalData(), route: try r.optionalData(),
                        mailbox: try r.optionalData(), host: try r.optionalData()))
            }
            lists.append(list)
        }
        e.from = lists[0]
        e.sender = lists[1]
        e.replyTo = lists[2]
        e.to = lists[3]
        e.cc = lists[4]
        e.bcc = lists[5]
        e.inReplyTo = try r.optionalData()
        e.messageID = try r.optionalData()
        return e
    }
}

extension BinaryReader {
    /// A part number or child index: the format keeps them below 2^31.
    fileprivate mutating func partNumber() throws(BinaryDecodingError) -> Int { try varint(max: Int(Int32.max)) }
}

/// CRC-32 (IEEE), to tell a damaged cache entry from a valid one.
enum CRC32 {
    /// zlib's CRC-32 (the IEEE polynomial): every cached-fields read checks one, and zlib's is several times
    /// faster than a byte-at-a-time table (it was a fifth of a header SEARCH's CPU).
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32_z(0, buffer.baseAddress, buffer.count))
        }
    }
}
