import IMAPProtocol
import Testing

@Suite struct ModifiedUTF7Tests {
    @Test(arguments: [
        ("~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語"),
        ("&-", "&"),
        ("Tom &- Jerry", "Tom & Jerry"),
        ("Entw&APw-rfe", "Entwürfe"),
        ("&2D3eAA-", "😀"),
        ("INBOX", "INBOX"),
        ("&AOQA9gD8-", "äöü")
    ])
    func bothWays(encoded: String, decoded: String) throws {
        #expect(try ModifiedUTF7.decode(Array(encoded.utf8)) == decoded)
        #expect(ModifiedUTF7.encode(decoded) == encoded)
    }

    @Test(arguments: [
        "&U,BTFw", // unterminated
        "&U/BTFw-", // "/" is not in the modified alphabet
        "&2D0-", // lone high surrogate
        "&3gA-", // lone low surrogate
        "&AGE-", // printable ASCII "a" must not be encoded
        "&AOQ-x\u{7f}", // control character
        "caf\u{e9}", // raw 8-bit
        "&AOR-", // non-zero padding bits
        "&A-" // truncated
    ])
    func invalidInputIsRejected(input: String) {
        #expect(throws: ModifiedUTF7.DecodingError.self) { try ModifiedUTF7.decode(Array(input.utf8)) }
    }

    @Test func roundTripOfMixedNames() throws {
        for name in ["a&b/ç/日本", "Привет мир", "x\u{1F600}y\u{1F601}", "&&", "~/%*"] {
            #expect(try ModifiedUTF7.decode(Array(ModifiedUTF7.encode(name).utf8)) == name)
        }
    }
}
