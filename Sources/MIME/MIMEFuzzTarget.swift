/// Runs every public entry point on arbitrary bytes and checks internal invariants; used by the libFuzzer
/// target (bench/fuzz) and by the tests. Traps (crashes) if an invariant breaks, which is the point.
public enum MIMEFuzzTarget {
    public static func exercise(_ bytes: Bytes) {
        let message = MIMEMessage.parse(bytes, limits: MIMELimits(maxNesting: 30, maxParts: 500))
        let s = message.structure
        precondition(s.virtualSize >= s.physicalSize)
        for (i, p) in s.parts.enumerated() {
            precondition(p.headerStart <= p.bodyStart && p.bodyStart <= p.end && p.end <= bytes.count)
            for c in p.children { precondition(c > i) }
        }
        _ = message.envelope.decodedSubject
        for p in s.parts {
            _ = p.filename
            _ = p.charset
        }
        _ = message.searchText
        _ = message.preview
        let specifiers: [BodySection.Specifier] = [.full, .header, .text, .mime, .headerFields(["From", "Subject"]), .headerFieldsNot(["To"])]
        for (path, index) in s.numberedParts().prefix(50) {
            for spec in specifiers {
                if let out = try? message.section(BodySection(part: path, specifier: spec), partial: Partial(origin: 1, count: 7)) {
                    precondition(out.count <= 7)
                }
            }
            if let body = try? message.section(BodySection(part: path)) {
                precondition(body.count == s.parts[index].virtualBodySize)
            }
            _ = try? message.binarySection(path)
        }
        _ = try? message.section(BodySection(part: [9, 9, 9]))
        // The cache must round-trip, and arbitrary bytes must decode or fail with a typed error.
        let cached = message.cachedFields()
        let decoded = try? CachedMessageFields(serialized: cached.serialized())
        precondition(decoded == cached)
        if let junk = try? CachedMessageFields(serialized: bytes) {
            _ = junk.structure.numberedParts()
            _ = junk.envelope
        }
        _ = BodySection(String(decoding: bytes.prefix(64), as: UTF8.self))
    }
}
