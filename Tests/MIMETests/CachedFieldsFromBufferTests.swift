import MIME
import Testing

/// A spooled mail is parsed from its mapped file: the fields must be those of the in-memory parse.
@Suite struct CachedFieldsFromBufferTests {
    private func fromBuffer(_ bytes: [UInt8]) -> CachedMessageFields {
        bytes.withUnsafeBytes { CachedMessageFields(buffer: $0) }
    }

    @Test func everyCorpusMessageGivesTheSameFields() throws {
        let corpus = try Corpus.all()
        #expect(!corpus.isEmpty)
        for (name, bytes) in corpus {
            #expect(fromBuffer(bytes) == MIMEMessage.parse(bytes).cachedFields(), "\(name)")
        }
    }

    @Test func previewAfterALargeAttachmentAndOfALongEncodedTextIsTheSame() {
        let attachment = String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n", count: 20_000)
        let html = String(repeating: "<p>Hello =C3=A9t=C3=A9 &amp; more text here, quoted-printable=\n</p>\n", count: 8_000)
        let message = crlf(
            """
            From: a@example.com
            Subject: big
            Message-ID: <big@example.com>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            \(attachment)
            --b
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <html><head><style>p { color: red }</style></head><body>
            \(html)</body></html>
            --b--

            """)
        let parsed = MIMEMessage.parse(message).cachedFields()
        #expect(parsed.preview != nil)
        #expect(fromBuffer(message) == parsed)
        let plain = crlf("Subject: plain\n\n" + String(repeating: "line of plain text ", count: 50_000) + "\n")
        #expect(fromBuffer(plain) == MIMEMessage.parse(plain).cachedFields())
    }
}
