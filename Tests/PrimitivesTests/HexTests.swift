import Primitives
import Testing

@Suite struct HexTests {
    @Test func encodesBytesHighNibbleFirst() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF]) == "00017f80abff")
        #expect(Hex.encode([0x00, 0x0F, 0xAB, 0xFF], uppercase: true) == "000FABFF")
        // Any sequence of bytes: a slice, a digest.
        #expect(Hex.encode([1, 2, 3, 4][2...]) == "0304")
    }

    @Test func appendsOneByteForEscapes() {
        var output = Array("%".utf8)
        Hex.append(0x2F, uppercase: true, to: &output)
        Hex.append(0xE9, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "%2Fe9")
    }

    @Test func fixedWidthKeepsLeadingZeros() {
        #expect(Hex.fixedWidth(UInt64(0)) == "0000000000000000")
        #expect(Hex.fixedWidth(UInt64(0xAB)) == "00000000000000ab")
        #expect(Hex.fixedWidth(UInt64.max) == "ffffffffffffffff")
        #expect(Hex.fixedWidth(UInt32(0x1234)) == "00001234")
        #expect(Hex.fixedWidth(UInt8(7)) == "07")
    }

    @Test func decodesEitherCaseAndRefusesTheRest() {
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("00017f80ABff") == [0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil, "odd length")
        #expect(Hex.decode("0g") == nil)
        #expect(Hex.decode(" 0") == nil)
        #expect(Hex.decode("+1") == nil, "no sign, unlike integer parsing")
        let substring = "xx0aff"[...].dropFirst(2)
        #expect(Hex.decode(substring) == [0x0A, 0xFF])
    }

    @Test func roundTripsEveryByte() {
        let all = (0...255).map(UInt8.init)
        #expect(Hex.decode(Hex.encode(all)) == all)
        #expect(Hex.decode(Hex.encode(all, uppercase: true)) == all)
    }

    @Test func digitValues() {
        #expect(Hex.value(of: UInt8(ascii: "0")) == 0)
        #expect(Hex.value(of: UInt8(ascii: "9")) == 9)
        #expect(Hex.value(of: UInt8(ascii: "a")) == 10)
        #expect(Hex.value(of: UInt8(ascii: "F")) == 15)
        for byte in [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "G"), UInt8(ascii: "`"), UInt8(ascii: "g"), 0, 0xFF] {
            #expect(Hex.value(of: byte) == nil, "\(byte)")
        }
    }

    @Test func escapeBodiesNeedTwoDigits() {
        let text = Array("=3D=4=".utf8)
        #expect(Hex.byte(at: 1, in: text) == 0x3D)
        #expect(Hex.byte(at: 4, in: text) == nil, "second digit is '='")
        #expect(Hex.byte(at: 5, in: text) == nil, "one byte left")
        #expect(Hex.byte(at: 6, in: text) == nil, "at the end")
        let slice = text[3...]
        #expect(Hex.byte(at: slice.startIndex + 1, in: slice) == nil)
        #expect(Hex.byte(at: 1, in: text[0..<2]) == nil, "the slice ends after one digit")
    }
}
