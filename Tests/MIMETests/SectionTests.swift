import MIME
import Testing

@Suite struct SectionTests {
    func section(_ m: MIMEMessage, _ spec: String, _ partial: Partial? = nil) throws -> String {
        let s = try #require(BodySection(spec), "parse \(spec)")
        return try m.section(s, partial: partial).string
    }

    @Test func parsesSectionSpecifiers() throws {
        #expect(BodySection("") == BodySection())
        #expect(BodySection("1.2.3") == BodySection(part: [1, 2, 3]))
        #expect(BodySection("2.MIME") == BodySection(part: [2], specifier: .mime))
        #expect(BodySection("header.fields (From \"To\")") == BodySection(specifier: .headerFields(["From", "To"])))
        #expect(BodySection("1.HEADER.FIELDS.NOT (X)") == BodySection(part: [1], specifier: .headerFieldsNot(["X"])))
        for bad in ["MIME", "0", "1..2", "1.", "HEADER.FIELDS", "HEADER.FIELDS ()", "FOO", "1.X"] {
            #expect(BodySection(bad) == nil, "\(bad)")
        }
        #expect(BodySection("1.2.HEADER.FIELDS (A B)")?.description == "1.2.HEADER.FIELDS (A B)")
    }

    @Test func multipartSections() throws {
        let m = MIMEMessage.parse(try Corpus.load("multipart-mixed.eml"))
        #expect(try section(m, "1") == "Caf=C3=A9 au lait")
        #expect(try section(m, "1.MIME") == "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
        #expect(try section(m, "HEADER.FIELDS (from SUBJECT)") == "From: a@example.com\r\nSubject: multipart\r\n\r\n")
        #expect(try section(m, "HEADER.FIELDS.NOT (from subject mime-version content-type)") == "To: b@example.com\r\n\r\n")
        #expect(try section(m, "TEXT").hasPrefix("This is the preamble.\r\n--XX\r\n"))
        #expect(try m.binarySection([1]).string == "Café au lait")
        #expect(try m.binarySection([2]) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try m.binarySize([2]) == 8)
        #expect(try section(m, "", Partial(origin: 0, count: 5)) == "From:")
        #expect(try section(m, "1", Partial(origin: 4, count: 1000)) == "C3=A9 au lait")
        #expect(try section(m, "1", Partial(origin: 400, count: 10)) == "")
        #expect(throws: SectionError.noSuchPart([3])) { try m.section(BodySection(part: [3])) }
        #expect(throws: SectionError.noSuchPart([1, 1])) { try m.section(BodySection(part: [1, 1])) }
        #expect(throws: SectionError.notAMessage([1])) { try m.section(BodySection(part: [1], specifier: .text)) }
    }

    @Test func nestedMessageSectionsServedWithCRLF() throws {
        let m = MIMEMessage.parse(try Corpus.load("nested-rfc822-bare-lf.eml"))
        #expect(try section(m, "1.HEADER") == "From: inner@example.com\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n")
        #expect(try section(m, "1.1") == "plain text")
        #expect(try section(m, "1.2") == "<p>html &amp; text</p>")
        #expect(try section(m, "1.2.MIME") == "Content-Type: text/html\r\n\r\n")
        #expect(try section(m, "1.TEXT").hasPrefix("--inner\r\nContent-Type: text/plain\r\n"))
        #expect(try section(m, "2") == "trailing")
        #expect(try section(m, "1.HEADER.FIELDS (Subject)") == "Subject: inner\r\n\r\n")
        #expect(try m.section(BodySection()).count == m.virtualSize)
        #expect(!(try m.section(BodySection())).string.contains("\n\n"))
    }

    @Test func singlePartMessagePartOneIsTheBody() throws {
        let m = MIMEMessage.parse(try Corpus.load("rfc3501-example.eml"))
        #expect(try section(m, "1") == (try section(m, "TEXT")))
        #expect(try section(m, "1").hasPrefix("Hello Joe"))
        #expect(throws: SectionError.noSuchPart([2])) { try m.section(BodySection(part: [2])) }
        #expect(throws: SectionError.noSuchPart([1, 1])) { try m.section(BodySection(part: [1, 1])) }
    }

    /// For every numbered part of every corpus message: MIME header + body slices put back together equal the
    /// raw part, and BODY[n] is exactly as long as BODYSTRUCTURE says.
    @Test func sliceRoundTripsAndSizesAgree() throws {
        for (name, bytes) in try Corpus.all() {
            let m = MIMEMessage.parse(bytes)
            #expect(try m.section(BodySection()) == LineEndings.crlf(bytes[...]), "\(name)")
            #expect(
                try m.section(BodySection(specifier: .header)) + (try m.section(BodySection(specifier: .text)))
                    == (try m.section(BodySection())), "\(name)")
            for (path, index) in m.structure.numberedParts() {
                let p = m.structure.parts[index]
                let body = try m.section(BodySection(part: path))
                let mime = try m.section(BodySection(part: path, specifier: .mime))
                #expect(mime + body == LineEndings.crlf(bytes[p.headerStart..<p.end]), "\(name) \(path)")
                #expect(body.count == p.virtualBodySize, "\(name) \(path)")
                #expect(body.filter { $0 == 10 }.count == p.bodyLines, "\(name) \(path)")
            }
        }
    }

    @Test func numberingFollowsRFC3501() throws {
        let m = MIMEMessage.parse(try Corpus.load("nested-rfc822-bare-lf.eml"))
        let paths = m.structure.numberedParts().map { $0.path.map(String.init).joined(separator: ".") }
        #expect(paths == ["1", "1.1", "1.2", "2"])
        let single = MIMEMessage.parse(try Corpus.load("rfc3501-example.eml"))
        #expect(single.structure.numberedParts().map(\.path) == [[1]])
    }

    @Test func binaryRejectsUnknownEncodings() throws {
        let m = MIMEMessage.parse(crlf("Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n"))
        #expect(throws: SectionError.unknownTransferEncoding(part: [1], encoding: "x-uuencode")) { try m.binarySection([1]) }
        let q = MIMEMessage.parse(crlf("Content-Transfer-Encoding: Quoted-Printable\n\na=3Db  \nsoft=\nbreak\n"))
        #expect(try q.binarySection([1]).string == "a=b\r\nsoftbreak\r\n")
    }
}
