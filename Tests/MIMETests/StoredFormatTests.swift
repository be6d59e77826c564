import MIME
import Primitives
import Testing

/// The cached fields are stored in every user's index and in the index bundles in the bucket: their bytes must
/// not change unnoticed, or stored mail would no longer decode. This pins the encoding of a small message.
@Suite struct StoredFormatTests {
    static let message = Array(
        ("From: Ann <ann@example.com>\r\nSubject: Hi\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "\r\nhello\r\n").utf8)
    static let stored =
        "4f4d4346015c5c0100010055070000047465787405706c61696e010763686172736574057574662d380000000000000000"
        + "010755010001024869020103416e6e000103616e6e010b6578616d706c652e636f6d020103416e6e000103616e6e010b6578616d706c65"
        + "2e636f6d020103416e6e000103616e6e010b6578616d706c652e636f6d000000000002077375626a6563740248690466726f6d15416e6e"
        + "203c616e6e406578616d706c652e636f6d3e010568656c6c6fac326dc3"

    @Test func cachedFieldsKeepTheirBytes() throws {
        let fields = MIMEMessage.parse(Self.message).cachedFields()
        #expect(Hex.encode(fields.serialized()) == Self.stored)
        let stored = try #require(Hex.decode(Self.stored))
        #expect(try CachedMessageFields(serialized: stored) == fields)
        #expect(try CachedMessageFields.headers(serialized: stored).map(\.name) == ["subject", "from"])
        #expect(try CachedMessageFields.topLevelHeader(serialized: stored) == 0..<85)
    }
}
