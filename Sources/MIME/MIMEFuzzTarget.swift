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
        _ = message.imapEnvelope()
        _ = message.bodyStructure(extensible: true)
        _ = message.bodyStructure(extensible: false)
        _ = message.envelope.decodedSubject
        for p in s.parts { _ = p.filename; _ = p.charset }
    }
}
