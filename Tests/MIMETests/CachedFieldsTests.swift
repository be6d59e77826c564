import MIME
import Testing

@Suite struct CachedFieldsTests {
    @Test func roundTripsEveryCorpusMessage() throws {
        for (name, bytes) in try Corpus.all() {
            let m = MIMEMessage.parse(bytes)
            let cached = m.cachedFields()
            let data = cached.serialized()
            let decoded = try CachedMessageFields(serialized: data)
            #expect(decoded == cached, "\(name)")
            // The headers-only reader steps over the parts exactly: it must land on the same headers.
            let headers = try CachedMessageFields.headers(serialized: data)
            #expect(headers.map(\.name) == cached.headers.map(\.name), "\(name)")
            #expect(headers.map(\.value) == cached.headers.map(\.value), "\(name)")
            // The header-only reader finds the message's own header where the structure has it, and the header
            // sections it answers from those bytes alone are the structure's, byte for byte.
            let header = try CachedMessageFields.topLevelHeader(serialized: data)
            #expect(header == m.structure.parts[0].headerStart..<m.structure.parts[0].bodyStart, "\(name)")
            let headerBytes = Array(bytes[..<header.upperBound])
            for specifier in [
                BodySection.Specifier.header, .headerFields(["From", "subject", "MESSAGE-ID", "x-none"]),
                .headerFieldsNot(["Received", "To"])
            ] {
                let section = BodySection(specifier: specifier)
                #expect(
                    try MessageStructure.topLevelHeaderSection(section, header: header, in: headerBytes)
                        == (try m.structure.section(section, in: bytes)), "\(name) \(specifier)")
                #expect(
                    try MessageStructure.topLevelHeaderSection(section, partial: Partial(origin: 3, count: 10), header: header, in: bytes)
                        == (try m.structure.section(section, partial: Partial(origin: 3, count: 10), in: bytes)), "\(name)")
            }
            // Everything the server needs comes back identical from the cache alone.
            #expect(decoded.structure.renderedBodyStructure(extensible: true) == m.renderedBodyStructure(extensible: true), "\(name)")
            #expect(decoded.structure.renderedBodyStructure(extensible: false) == m.renderedBodyStructure(extensible: false), "\(name)")
            #expect(decoded.structure.renderedEnvelope() == m.renderedEnvelope(), "\(name)")
            #expect(decoded.virtualSize == m.virtualSize)
            #expect(decoded.preview == m.preview)
            for (path, _) in m.structure.numberedParts() {
                #expect(try decoded.structure.section(BodySection(part: path), in: bytes) == (try m.section(BodySection(part: path))))
            }
        }
    }

    @Test func keepsSelectedHeaders() throws {
        let m = MIMEMessage.parse(try Corpus.load("rfc3501-example.eml"))
        let c = try CachedMessageFields(serialized: m.cachedFields().serialized())
        #expect(c.header("Subject")?.string == "IMAP4rev1 WG mtg summary and minutes")
        #expect(c.header("cc")?.string == "minutes@CNRI.Reston.VA.US,  John Klensin <KLENSIN@MIT.EDU>")
        #expect(c.header("references") == nil)
        #expect(c.preview?.hasPrefix("Hello Joe") == true)
    }

    @Test func rejectsDamagedInput() throws {
        let data = MIMEMessage.parse(try Corpus.load("nested-rfc822-bare-lf.eml")).cachedFields().serialized()
        #expect(throws: CachedFieldsError.badMagic) { try CachedMessageFields(serialized: Array("XXXX".utf8) + data.dropFirst(4)) }
        var v2 = data
        v2[4] = 2
        #expect(throws: CachedFieldsError.unsupportedVersion(2)) { try CachedMessageFields(serialized: v2) }
        #expect(throws: CachedFieldsError.self) { try CachedMessageFields(serialized: []) }
        for cut in stride(from: 0, to: data.count, by: 7) {
            #expect(throws: CachedFieldsError.self) { try CachedMessageFields(serialized: Array(data[..<cut])) }
        }
        var flipped = data
        flipped[data.count / 2] ^= 0x10
        #expect(throws: CachedFieldsError.checksumMismatch) { try CachedMessageFields(serialized: flipped) }
        #expect(throws: CachedFieldsError.checksumMismatch) { try CachedMessageFields.headers(serialized: flipped) }
        for cut in stride(from: 0, to: data.count, by: 7) {
            #expect(throws: CachedFieldsError.self) { try CachedMessageFields.headers(serialized: Array(data[..<cut])) }
            #expect(throws: CachedFieldsError.self) { try CachedMessageFields.topLevelHeader(serialized: Array(data[..<cut])) }
        }
        #expect(throws: CachedFieldsError.checksumMismatch) { try CachedMessageFields.topLevelHeader(serialized: flipped) }
        #expect(throws: CachedFieldsError.unsupportedVersion(2)) { try CachedMessageFields.topLevelHeader(serialized: v2) }
    }

    @Test func rejectsStructurallyInvalidRecordsEvenWithAValidChecksum() throws {
        // A hand-made record whose single part claims to end beyond the message.
        var parts = MIMEMessage.parse(crlf("Subject: x\n\nbody")).structure
        parts.parts[0].end = 1_000
        let bogus = CachedMessageFields(structure: parts, headers: [], preview: nil).serialized()
        #expect(throws: CachedFieldsError.corrupt("part 0 offsets out of range")) { try CachedMessageFields(serialized: bogus) }
        var longHeader = MIMEMessage.parse(crlf("Subject: x\n\nbody")).structure
        longHeader.parts[0].bodyStart = 1_000
        let beyond = CachedMessageFields(structure: longHeader, headers: [], preview: nil).serialized()
        #expect(throws: CachedFieldsError.corrupt("part 0 offsets out of range")) { try CachedMessageFields.topLevelHeader(serialized: beyond) }
        // Bytes shorter than the header are refused, never sliced out of range.
        #expect(throws: SectionError.self) {
            try MessageStructure.topLevelHeaderSection(BodySection(specifier: .header), header: 0..<12, in: Array("Subject".utf8))
        }
    }

    @Test func sectionsRefuseBytesOfAnotherSize() throws {
        let m = MIMEMessage.parse(try Corpus.load("multipart-mixed.eml"))
        #expect(throws: SectionError.structureMismatch(expectedSize: m.bytes.count, actualSize: 3)) {
            try m.structure.section(BodySection(), in: [1, 2, 3])
        }
    }

    /// FETCH of header fields reads only the header: the top-level header sections answer from it exactly as
    /// from the whole message; every other section, and any other length, still refuses.
    @Test func topLevelHeaderSectionsAnswerFromTheHeaderAlone() throws {
        for (name, bytes) in try Corpus.all() {
            let m = MIMEMessage.parse(bytes)
            let structure = m.structure
            let header = Array(bytes[..<structure.headerLength])
            for section in [
                BodySection(specifier: .header), BodySection(specifier: .headerFields(["Subject", "FROM", "x-none"])),
                BodySection(specifier: .headerFieldsNot(["subject"]))
            ] {
                #expect(try structure.section(section, in: header) == (try structure.section(section, in: bytes)), "\(name)")
                #expect(
                    try structure.section(section, partial: Partial(origin: 2, count: 5), in: header)
                        == (try structure.section(section, partial: Partial(origin: 2, count: 5), in: bytes)), "\(name)")
            }
            guard structure.headerLength < bytes.count else { continue }
            #expect(throws: SectionError.self, "\(name)") { try structure.section(BodySection(specifier: .text), in: header) }
            #expect(throws: SectionError.self, "\(name)") { try structure.section(BodySection(), in: header) }
            #expect(throws: SectionError.self, "\(name)") {
                try structure.section(BodySection(specifier: .header), in: Array(header.dropLast()))
            }
        }
    }
}
