import MIME
import Testing

@Suite struct DateTests {
    func parse(_ s: String) -> RFC5322Date? { RFC5322Date.parse(Array(s.utf8)) }

    @Test func parsesCommonAndObsoleteForms() {
        #expect(parse("Thu, 01 Jan 1970 00:00:00 +0000")?.timestamp == 0)
        #expect(parse("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)") == RFC5322Date(timestamp: 837_595_405, offsetMinutes: -420))
        #expect(parse("17 Jul 96 02:23 PDT")?.timestamp == 837_595_380)
        #expect(parse("Sun, 22 Nov 2026 04:10:00 +0100")?.offsetMinutes == 60)
        #expect(parse("Sun, 22 Nov 2026 04:10:00 +0100")?.timestamp == 1_795_317_000)
        #expect(parse("garbage") == nil)
        #expect(parse("") == nil)
        #expect(parse("32 Foo 2020 99:99") == nil)
    }

    @Test func envelopeSentDate() throws {
        let m = MIMEMessage.parse(try Corpus.load("rfc3501-example.eml"))
        #expect(m.envelope.sentDate?.timestamp == 837_595_405)
    }
}
