/// Dovecot-style session ids: 12 random bytes in base64 (16 characters), e.g. `Pu5Dz0YLoOfAqAAB`.
/// They appear in every log line of the session and in LMTP's 250 replies, so an operator can
/// follow one delivery from the MTA's log into ours.
public enum SessionID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(16)
        // 12 bytes are 96 bits: 16 base64 digits of 6 bits each.
        for _ in 0..<16 { text.append(alphabet[Int(generator.next(upperBound: UInt8(64)))]) }
        return text
    }
}
