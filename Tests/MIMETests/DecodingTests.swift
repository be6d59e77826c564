import MIME
import Testing

@Suite struct DecodingTests {
    func decode(_ s: String) -> String { EncodedWords.decode(Array(s.utf8)) }

    /// RFC 2047 §8's table of encoded-word spacing examples.
    @Test func rfc2047SectionEightExamples() {
        #expect(decode("(=?ISO-8859-1?Q?a?=)") == "(a)")
        #expect(decode("(=?ISO-8859-1?Q?a?= b)") == "(a b)")
        #expect(decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)") == "(ab)")
        #expect(decode("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)") == "(ab)")
        #expect(decode("(=?ISO-8859-1?Q?a?=\t  =?ISO-8859-1?Q?b?=)") == "(ab)")
        #expect(decode("(=?ISO-8859-1?Q?a_b?=)") == "(a b)")
        #expect(decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)") == "(a b)")
        #expect(decode("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=") == "Keld Jørn Simonsen")
        #expect(decode("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(
            decode("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=")
                == "If you can read this you understand the example.")
        #expect(decode("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore")
    }

    @Test func encodedWordEdgeCases() {
        // A UTF-8 character split across two adjacent words.
        #expect(decode("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=") == "café")
        #expect(decode("=?utf-8?b?w6k=?=") == "é")
        // Malformed words stay as written.
        #expect(decode("=?UTF-8?X?abc?=") == "=?UTF-8?X?abc?=")
        #expect(decode("=?UTF-8?Q?unterminated") == "=?UTF-8?Q?unterminated")
        #expect(decode("a =?") == "a =?")
        #expect(decode("plain text") == "plain text")
        #expect(decode("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=") == "テスト")
        // Unknown charset: bytes kept (Latin-1 view) rather than lost.
        #expect(decode("=?x-nonsense?Q?caf=E9?=") == "café")
    }

    @Test func charsetsToUTF8() {
        #expect(Charsets.toUTF8([0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], charset: "KOI8-R") == "привет")
        #expect(Charsets.toUTF8([0x83, 0x65, 0x83, 0x58, 0x83, 0x67], charset: "Shift_JIS") == "テスト")
        #expect(Charsets.toUTF8([0xD6, 0xD0, 0xCE, 0xC4], charset: "gb2312") == "中文")
        #expect(Charsets.toUTF8([0xD6, 0xD0, 0xCE, 0xC4], charset: "GBK") == "中文")
        #expect(Charsets.toUTF8([0xA4, 0xA4, 0xA4, 0xE5], charset: "big5") == "中文")
        #expect(Charsets.toUTF8([0xC7, 0xD1, 0xB1, 0xB9], charset: "euc-kr") == "한국")
        #expect(Charsets.toUTF8([0xA5, 0xC6, 0xA5, 0xB9, 0xA5, 0xC8], charset: "EUC-JP") == "テスト")
        #expect(Charsets.toUTF8([0x80], charset: "windows-1252") == "€")
        #expect(Charsets.toUTF8([0xE9], charset: "iso-8859-1") == "é")
        #expect(Charsets.toUTF8([0xA4], charset: "ISO-8859-15") == "€")
        #expect(Charsets.toUTF8([0xE9], charset: "utf-8") == "é") // invalid UTF-8: Latin-1 view
        #expect(Charsets.toUTF8([0x61, 0xFF, 0x62], charset: "shift_jis") == "a\u{FFFD}b") // invalid byte replaced, rest kept
        #expect(Charsets.toUTF8(Array("plain".utf8), charset: "no-such-charset") == "plain")
        // Labels as parameters carry them: quoted, padded, in any case.
        #expect(Charsets.toUTF8([0xD0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], charset: " \"Koi8-R\"\t") == "привет")
        #expect(Charsets.toUTF8([0xC3, 0xA9], charset: "\" UTF-8 \"") == "é")
        #expect(Charsets.toUTF8([0xE9], charset: " \"\" ") == "é") // no label: UTF-8, else Latin-1
    }

    @Test func rfc2231Parameters() throws {
        let m = MIMEMessage.parse(try Corpus.load("rfc2231.eml"))
        let p = m.structure.root
        let title = try #require(p.parameters.first { $0.baseName == "title" })
        #expect(title.name.string == "title*")
        #expect(title.decodedValue == "This is even more ***fun*** isn't it!")
        #expect(p.parameter("title") == "This is even more ***fun*** isn't it!")
        #expect(p.filename == "naïve.txt")
        let plain = MIMEMessage.parse(crlf("Content-Type: application/pdf; name*0=\"long \"; name*1=\"name.pdf\"\n\nx"))
        #expect(plain.structure.root.parameters.map { $0.name.string + "=" + $0.value.string } == ["name=long name.pdf"])
        let encodedWordName = MIMEMessage.parse(crlf("Content-Type: application/pdf; name=\"=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?=\"\n\nx"))
        #expect(encodedWordName.structure.root.filename == "résumé.pdf")
    }

    @Test func transferEncodings() {
        #expect(Base64.decode(Array("aGVs\r\nbG8=".utf8)).string == "hello")
        #expect(Base64.decode(Array("!!aGVsbG8".utf8)).string == "hello")
        #expect(Base64.encode(Array("hello".utf8)).string == "aGVsbG8=")
        #expect(QuotedPrintable.decode(Array("a=3D=\r\nb=ZZc=".utf8)).string == "a=b=ZZc")
        #expect(QuotedPrintable.decode(Array("x_y=20".utf8), header: true).string == "x y ")
    }

    @Test func htmlReducedToText() {
        let html =
            "<!DOCTYPE html><?xml version=\"1.0\"?><html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
            + "<p>Hello&nbsp;<b>World</b> &amp; &#x263A; &#65;</p><!-- hidden --><a href=\"x>y\">link</a> 1 < 2</body></html>"
        let text = HTMLText.toText(html)
        #expect(text.contains("Hello World & ☺ A"))
        #expect(text.contains("link"))
        #expect(text.contains("1 < 2"))
        #expect(!text.contains("DOCTYPE") && !text.contains("xml"))
        #expect(!text.contains("alert") && !text.contains("hidden") && !text.contains("color") && !text.contains("href"))
    }

    @Test func searchTextAndPreview() throws {
        let mixed = MIMEMessage.parse(try Corpus.load("multipart-mixed.eml"))
        #expect(mixed.searchText.body.contains("Café au lait"))
        #expect(mixed.searchText.header.contains("Subject: multipart"))
        #expect(mixed.preview == "Café au lait")
        let nested = MIMEMessage.parse(try Corpus.load("nested-rfc822-bare-lf.eml"))
        #expect(nested.searchText.body.contains("html & text"))
        // An encapsulated message's header is header text (TEXT), not body text (BODY), as in Dovecot.
        #expect(nested.searchText.header.contains("Subject: inner") && !nested.searchText.body.contains("Subject: inner"))
        #expect(nested.preview == "plain text")
        let words = MIMEMessage.parse(try Corpus.load("encoded-words.eml"))
        #expect(words.searchText.header.contains("To: Keld Jørn Simonsen <keld@dkuug.dk>"))
        let latin = MIMEMessage.parse(try Corpus.load("eightbit-nul.eml"))
        #expect(latin.searchText.body.contains("Café with NUL"))
        let long = MIMEMessage.parse(crlf("Content-Type: text/html\n\n<p>" + String(repeating: "word  \n ", count: 100) + "</p>"))
        let preview = try #require(long.preview)
        #expect(preview.count == 200 && preview.hasPrefix("word word"))
        let wide = MIMEMessage.parse(Array("Content-Type: text/plain; charset=utf-8\r\n\r\n".utf8) + Array(String(repeating: "€", count: 150).utf8))
        #expect(try #require(wide.preview).utf8.count <= 256)
        #expect(MIMEMessage.parse(crlf("Content-Type: image/png\n\nxx")).preview == nil)
    }

    @Test func unicodeCasemap() {
        #expect(UnicodeCasemap.contains("Straße ÉCOLE", "école"))
        #expect(UnicodeCasemap.contains("ﬁle report", "FILE"))
        #expect(UnicodeCasemap.contains("aaab", "AAB") && UnicodeCasemap.contains("report", "ORT"))
        #expect(!UnicodeCasemap.contains("rep", "report") && !UnicodeCasemap.contains("aaa", "aab"))
        #expect(UnicodeCasemap.contains("", "") && !UnicodeCasemap.contains("", "x"))
        #expect(!UnicodeCasemap.contains("ecole", "école"))
        #expect(UnicodeCasemap.contains("anything", ""))
    }
}

@Suite struct ConcurrencyTests {
    /// iconv descriptors are per conversion: many tasks converting at once must agree with one alone.
    @Test func concurrentCharsetConversions() async {
        let jis: [UInt8] = [0x1B, 0x24, 0x42, 0x25, 0x46, 0x25, 0x39, 0x25, 0x48, 0x1B, 0x28, 0x42]
        let gb18030: [UInt8] = [0x81, 0x30, 0x81, 0x30] // U+0080 in GB18030's four-byte range
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    Charsets.toUTF8(jis, charset: "iso-2022-jp") == "テスト"
                        && Charsets.toUTF8(gb18030, charset: "GB18030") == "\u{80}"
                }
            }
            var all: [Bool] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 64 && results.allSatisfy { $0 })
    }
}
