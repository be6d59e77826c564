/// Base 16 for bytes and integers: digests and cookies (lowercase), percent-escapes (uppercase), fixed-width
/// identifiers, and the `%XX`/`=XX`/`+XX` escapes that parsers decode.
public enum Hex {
    @usableFromInline static let lowercaseDigits: [UInt8] = Array("0123456789abcdef".utf8)
    @usableFromInline static let uppercaseDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Two digits a byte, high nibble first.
    @inlinable
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, uppercase: Bool = false) -> String where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes { append(byte, uppercase: uppercase, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the two digits of `byte` (for escapes such as `%2F` built into a byte array).
    @inlinable
    public static func append(_ byte: UInt8, uppercase: Bool = false, to output: inout [UInt8]) {
        let digits = uppercase ? uppercaseDigits : lowercaseDigits
        output.append(digits[Int(byte >> 4)])
        output.append(digits[Int(byte & 0x0F)])
    }

    /// Every digit of the integer's width, leading zeros included (a UInt64 is 16 digits), lowercase:
    /// identifiers that must sort and compare as text.
    public static func fixedWidth<Integer: FixedWidthInteger & UnsignedInteger>(_ value: Integer) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(Integer.bitWidth / 4)
        var shift = Integer.bitWidth - 4
        while shift >= 0 {
            output.append(lowercaseDigits[Int(truncatingIfNeeded: (value >> shift) & 0xF)])
            shift -= 4
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of an even number of digits (either case); nil for anything else.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(of: digits[index]), let low = value(of: digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The value of one digit (`0-9`, `a-f`, `A-F`), nil for any other byte.
    @inlinable
    public static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// The byte two digits stand for (`digits[index]` and the one after), nil when either is no digit or missing:
    /// the body of `%XX`, `=XX` and `+XX` escapes.
    @inlinable
    public static func byte<Digits: Collection>(at index: Digits.Index, in digits: Digits) -> UInt8?
    where Digits.Element == UInt8 {
        guard index != digits.endIndex else { return nil }
        let next = digits.index(after: index)
        guard next != digits.endIndex, let high = value(of: digits[index]), let low = value(of: digits[next]) else { return nil }
        return high << 4 | low
    }
}
