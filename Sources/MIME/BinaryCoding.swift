import CZlib

/// Little helpers for the cached-fields format (and other compact per-message formats built on
/// it, such as the index's sort keys): LEB128 varints and length-prefixed byte strings.
public struct ByteWriter: Sendable {
    public var bytes: Bytes = []

    public init() {}

    public mutating func varint(_ value: Int) {
        var v = UInt64(bitPattern: Int64(value))
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func data(_ value: Bytes) {
        varint(value.count)
        bytes += value
    }

    public mutating func optionalData(_ value: Bytes?) {
        if let value { bytes.append(1); data(value) } else { bytes.append(0) }
    }

    public mutating func string(_ value: String) {
        varint(value.utf8.count)
        bytes += value.utf8
    }
}

public struct ByteReader {
    let bytes: Bytes
    public private(set) var index: Int
    let end: Int

    public init(_ bytes: Bytes) { self.init(bytes, from: 0, to: bytes.count) }

    init(_ bytes: Bytes, from: Int, to: Int) {
        self.bytes = bytes
        self.index = from
        self.end = to
    }

    public var atEnd: Bool { index >= end }

    public mutating func byte() throws(CachedFieldsError) -> UInt8 {
        guard index < end else { throw .truncated(offset: index) }
        defer { index += 1 }
        return bytes[index]
    }

    /// A non-negative varint no larger than `max`.
    public mutating func varint(max: Int = Int(Int32.max)) throws(CachedFieldsError) -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw .corrupt("varint too long at \(index)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard result <= UInt64(max) else { throw .corrupt("value \(result) over \(max) at \(index)") }
        return Int(result)
    }

    public mutating func data() throws(CachedFieldsError) -> Bytes {
        let n = try varint()
        guard n <= end - index else { throw .truncated(offset: index) }
        defer { index += n }
        return Array(bytes[index..<(index + n)])
    }

    /// Steps over a length-prefixed byte string (readers that need only some fields).
    public mutating func skipData() throws(CachedFieldsError) {
        let n = try varint()
        guard n <= end - index else { throw .truncated(offset: index) }
        index += n
    }

    public mutating func skipOptionalData() throws(CachedFieldsError) {
        switch try byte() {
        case 0: return
        case 1: try skipData()
        case let t: throw .corrupt("bad optional tag \(t) at \(index - 1)")
        }
    }

    public mutating func optionalData() throws(CachedFieldsError) -> Bytes? {
        switch try byte() {
        case 0: return nil
        case 1: return try data()
        case let t: throw .corrupt("bad optional tag \(t) at \(index - 1)")
        }
    }

    /// Decodes straight from the buffer (no intermediate array: sort keys read 10,000s of these).
    public mutating func string() throws(CachedFieldsError) -> String {
        let n = try varint()
        guard n <= end - index else { throw .truncated(offset: index) }
        guard let s = String(validating: bytes[index..<(index + n)], as: UTF8.self) else {
            throw .corrupt("invalid UTF-8 string at \(index)")
        }
        index += n
        return s
    }
}

/// CRC-32 (IEEE), to tell a damaged cache entry from a valid one.
enum CRC32 {
    /// zlib's CRC-32 (the IEEE polynomial): every cached-fields read checks one, and zlib's is several times
    /// faster than a byte-at-a-time table (it was a fifth of a header SEARCH's CPU).
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32_z(0, buffer.baseAddress, buffer.count))
        }
    }
}
