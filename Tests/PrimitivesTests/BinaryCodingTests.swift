import Primitives
import Testing

@Suite struct BinaryCodingTests {
    func written(_ write: (inout BinaryWriter) -> Void) -> String {
        var writer = BinaryWriter()
        write(&writer)
        return Hex.encode(writer.bytes)
    }

    /// The stored formats' bytes: LEB128, low seven bits first.
    @Test func varintBytesArePinned() {
        #expect(written { $0.varint(UInt64(0)) } == "00")
        #expect(written { $0.varint(UInt64(1)) } == "01")
        #expect(written { $0.varint(UInt64(127)) } == "7f")
        #expect(written { $0.varint(UInt64(128)) } == "8001")
        #expect(written { $0.varint(UInt64(300)) } == "ac02")
        #expect(written { $0.varint(UInt64(16_384)) } == "808001")
        #expect(written { $0.varint(UInt64.max) } == "ffffffffffffffffff01")
        // Signed values go as their bit pattern: -1 takes ten bytes, whether written as Int or Int64.
        #expect(written { $0.varint(-1) } == "ffffffffffffffffff01")
        #expect(written { $0.varint(Int64(-5)) } == "fbffffffffffffffff01")
        #expect(written { $0.varint(1_700_000_000) } == "80e2cfaa06")
    }

    @Test func fixedWidthStringsAndOptionals() {
        #expect(written { $0.littleEndian(UInt32(0xDEAD_BEEF)) } == "efbeadde")
        #expect(written { $0.littleEndian(Int64(-2)) } == "feffffffffffffff")
        #expect(written { $0.string("héllo") } == "0668c3a96c6c6f")
        #expect(written { $0.data([UInt8]()) } == "00")
        #expect(written { $0.data([1, 2, 3][1...]) } == "020203")
        #expect(written { $0.optionalString(nil) } == "00")
        #expect(written { $0.optionalString("a") } == "010161")
        #expect(written { $0.optionalData([9]) } == "010109")
        #expect(written { $0.optionalData(nil) } == "00")
    }

    @Test func readsBackWhatWasWritten() throws {
        var writer = BinaryWriter(bytes: [0xAA])
        writer.varint(UInt64.max)
        writer.varint(-42)
        writer.varint(Int64.min)
        writer.littleEndian(UInt32(7))
        writer.littleEndian(Int64(-9))
        writer.string("ünïcode")
        writer.data([0, 255])
        writer.optionalString(nil)
        writer.optionalString("x")
        writer.optionalData([5])
        writer.varint(1_000)
        var reader = BinaryReader(writer.bytes, from: 1)
        #expect(try reader.varint() == UInt64.max)
        #expect(try reader.signedVarint() == -42)
        #expect(try reader.signedVarint() == Int64.min)
        #expect(try reader.littleEndian(UInt32.self) == 7)
        #expect(try reader.littleEndian(Int64.self) == -9)
        #expect(try reader.string() == "ünïcode")
        #expect(try reader.data() == [0, 255])
        #expect(try reader.optionalString() == nil)
        #expect(try reader.optionalString() == "x")
        #expect(try reader.optionalData() == [5])
        #expect(try reader.varint(max: 1_000) == 1_000)
        #expect(reader.isAtEnd)
        #expect(throws: BinaryDecodingError.truncated(offset: writer.bytes.count)) { try reader.byte() }
    }

    @Test func skipsWhatItDoesNotNeed() throws {
        var writer = BinaryWriter()
        writer.data([1, 2, 3])
        writer.optionalData(nil)
        writer.optionalData([4])
        writer.byte(0x42)
        var reader = BinaryReader(writer.bytes)
        try reader.skipData()
        try reader.skipOptionalData()
        try reader.skipOptionalData()
        #expect(try reader.byte() == 0x42)
    }

    /// Damaged input is an error, never a trap or a read past the end (or past `to:`).
    @Test func refusesDamagedInput() throws {
        func reader(_ hex: String, to end: Int? = nil) -> BinaryReader { BinaryReader(Hex.decode(hex)!, to: end) }
        var r = reader("80")
        #expect(throws: BinaryDecodingError.truncated(offset: 1)) { try r.varint() }
        r = reader("ffffffffffffffffffff01")
        #expect(throws: BinaryDecodingError.self) { try r.varint() }
        r = reader("ac02")
        #expect(throws: BinaryDecodingError.corrupt("value 300 over 299 at 2")) { try r.varint(max: 299) }
        r = reader("03616263", to: 3)
        #expect(throws: BinaryDecodingError.truncated(offset: 1)) { try r.string() }
        r = reader("ff")
        #expect(throws: BinaryDecodingError.truncated(offset: 1)) { try r.data() }
        r = reader("02c328")
        #expect(throws: BinaryDecodingError.corrupt("invalid UTF-8 string at 0")) { try r.string() }
        r = reader("020161")
        #expect(throws: BinaryDecodingError.corrupt("bad optional tag 2 at 0")) { try r.optionalString() }
        r = reader("010203")
        #expect(throws: BinaryDecodingError.truncated(offset: 0)) { try r.littleEndian(UInt32.self) }
        #expect(try r.littleEndian(UInt16.self) == 0x0201, "a failed read does not move the reader")
    }
}
