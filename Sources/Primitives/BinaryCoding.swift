/// The compact binary form of what ObjectMail stores: the cached MIME fields and sort keys in each user's index,
/// the index bundles in the bucket. LEB128 varints (7 bits a byte, low group first), little-endian fixed-width
/// integers, length-prefixed byte strings and a 0/1 tag before optional values.
///
/// Stored data outlives builds, so these bytes never change: every format built on them pins an example
/// (StoredFormatTests, BundleFormatTests, SortKeysStoredFormatTests).
public struct BinaryWriter: Sendable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8] = []) {
        self.bytes = bytes
    }

    @inlinable
    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Most counts, sizes and offsets take one to three bytes.
    @inlinable
    public mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// The two's-complement bit pattern as a varint: a negative value takes ten bytes.
    @inlinable
    public mutating func varint(_ value: Int) { varint(UInt64(bitPattern: Int64(value))) }

    @inlinable
    public mutating func varint(_ value: Int64) { varint(UInt64(bitPattern: value)) }

    @inlinable
    public mutating func littleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Length, then the bytes.
    @inlinable
    public mutating func data<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// UTF-8 length, then the UTF-8 bytes.
    @inlinable
    public mutating func string(_ value: String) { data(value.utf8) }

    @inlinable
    public mutating func optionalData(_ value: [UInt8]?) {
        if let value {
            byte(1)
            data(value)
        } else {
            byte(0)
        }
    }

    @inlinable
    public mutating func optionalString(_ value: String?) {
        if let value {
            byte(1)
            string(value)
        } else {
            byte(0)
        }
    }
}

/// Why bytes did not decode; formats report it under their own error type, with what was being read.
public enum BinaryDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The value at `offset` runs past the end.
    case truncated(offset: Int)
    case corrupt(String)

    public var description: String {
        switch self {
        case .truncated(let offset): "truncated at offset \(offset)"
        case .corrupt(let why): why
        }
    }
}

/// Reads what `BinaryWriter` wrote, from `index` up to `end`. Every read checks its bounds; nothing traps on
/// damaged input.
public struct BinaryReader {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    /// Where the next read starts.
    @inlinable
    public var index: Int { position }

    /// Reads `bytes[start..<end]` (the whole array by default).
    public init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    @inlinable
    public var isAtEnd: Bool { position >= end }

    @inlinable
    public mutating func byte() throws(BinaryDecodingError) -> UInt8 {
        guard position < end else { throw .truncated(offset: position) }
        defer { position += 1 }
        return bytes[position]
    }

    @inlinable
    public mutating func varint() throws(BinaryDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw .corrupt("varint too long at \(position)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A varint no larger than `max` (counts and sizes that must fit memory).
    @inlinable
    public mutating func varint(max: Int) throws(BinaryDecodingError) -> Int {
        let value = try varint()
        guard value <= UInt64(Swift.max(0, max)) else { throw .corrupt("value \(value) over \(max) at \(position)") }
        return Int(value)
    }

    /// A varint written from a signed value (its bit pattern).
    @inlinable
    public mutating func signedVarint() throws(BinaryDecodingError) -> Int64 {
        Int64(bitPattern: try varint())
    }

    @inlinable
    public mutating func littleEndian<Integer: FixedWidthInteger>(_ type: Integer.Type) throws(BinaryDecodingError) -> Integer {
        let size = Integer.bitWidth / 8
        guard size <= end - position else { throw .truncated(offset: position) }
        var value = Integer.zero
        for offset in 0..<size { value |= Integer(truncatingIfNeeded: bytes[position + offset]) << (8 * offset) }
        position += size
        return value
    }

    /// Where a length-prefixed value's bytes lie, checked against the end; the reader moves past them.
    @inlinable
    mutating func lengthPrefixed() throws(BinaryDecodingError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw .truncated(offset: position) }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    @inlinable
    public mutating func data() throws(BinaryDecodingError) -> [UInt8] {
        Array(bytes[try lengthPrefixed()])
    }

    /// Steps over a length-prefixed value (readers that need only some fields).
    @inlinable
    public mutating func skipData() throws(BinaryDecodingError) {
        _ = try lengthPrefixed()
    }

    /// Decodes straight from the buffer, without an intermediate array (sort keys read 10,000s of these).
    @inlinable
    public mutating func string() throws(BinaryDecodingError) -> String {
        let start = position
        let range = try lengthPrefixed()
        guard let text = String(validating: bytes[range], as: UTF8.self) else { throw .corrupt("invalid UTF-8 string at \(start)") }
        return text
    }

    @inlinable
    public mutating func optionalData() throws(BinaryDecodingError) -> [UInt8]? {
        try isPresent() ? try data() : nil
    }

    @inlinable
    public mutating func skipOptionalData() throws(BinaryDecodingError) {
        if try isPresent() { try skipData() }
    }

    @inlinable
    public mutating func optionalString() throws(BinaryDecodingError) -> String? {
        try isPresent() ? try string() : nil
    }

    @inlinable
    mutating func isPresent() throws(BinaryDecodingError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let tag: throw .corrupt("bad optional tag \(tag) at \(position - 1)")
        }
    }
}
