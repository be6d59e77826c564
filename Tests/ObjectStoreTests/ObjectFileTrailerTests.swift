import Foundation
import Testing

@testable import ObjectStore

/// The trailer that posix objects and fscache entries carry: what goes in comes out, escapes included.
@Suite struct ObjectFileTrailerTests {
    @Test func roundTripsMetadataWithEscapesAndUnicode() {
        let trailer = ObjectFileTrailer(
            metadata: [
                "origbox-name": "Grüße\tTab %25 100%\nnext line", "username": "jane@example.com",
                "empty": ""
            ],
            contentType: "message/rfc822", key: "user/mailboxes/é/1", lastModified: Date(timeIntervalSince1970: 1_790_000_000.25),
            etag: "\"abc\"")
        let encoded = trailer.encoded(dataLength: 42)
        let text = Array(encoded.dropLast(Int(ObjectFile.footerLength)))
        #expect(ObjectFileTrailer.decode(text) == trailer)
        #expect(ObjectFileTrailer.decode([]) == ObjectFileTrailer())
    }

    @Test func refusesLinesWithoutATabAndInvalidUTF8() {
        #expect(ObjectFileTrailer.decode(Array("name-without-value\n".utf8)) == nil)
        #expect(ObjectFileTrailer.decode([0x61, 0x09, 0xFF, 0x0A]) == nil)
        #expect(ObjectFileTrailer.decode([0xC3, 0x09, 0x61, 0x0A]) == nil) // a name cut inside a UTF-8 sequence
    }

    @Test func skipsEmptyLinesAndReadsALastLineWithoutNewline() {
        #expect(
            ObjectFileTrailer.decode(Array("\n\n:key\tk/1\n\nname\tvalue\twith tab".utf8))
                == ObjectFileTrailer(metadata: ["name": "value\twith tab"], key: "k/1"))
    }
}
