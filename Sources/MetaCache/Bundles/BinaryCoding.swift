import Foundation

/// Little-endian, length-prefixed encoding for index bundles: compact and fast for 100,000-row
/// mailboxes, where JSON would be several times larger and slower.
struct BundleWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Variable-length unsigned integer (7 bits a byte): most counts and sizes take 1–3 bytes.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func int(_ value: Int64) { varint(UInt64(bitPattern: value)) }

    mutating func data(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ value: String) { data(Array(value.utf8)) }

    mutating func optionalString(_ value: String?) {
        u8(value == nil ? 0 : 1)
        if let value { string(value) }
    }
}

struct BundleReader {
    private let bytes: [UInt8]
    private var position: Int
    let context: String

    init(_ bytes: [UInt8], from start: Int = 0, context: String) {
        self.bytes = bytes
        self.position = start
        self.context = context
    }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func u8() throws(BundleError) -> UInt8 {
        guard position < bytes.count else { throw .corrupt(context, "truncated") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func u32() throws(BundleError) -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(try u8()) << UInt32(shift) }
        return value
    }

    mutating func i64() throws(BundleError) -> Int64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(try u8()) << UInt64(shift) }
        return Int64(bitPattern: value)
    }

    mutating func varint() throws(BundleError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            guard shift < 64 else { throw .corrupt(context, "integer too long") }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func int() throws(BundleError) -> Int64 { Int64(bitPattern: try varint()) }

    mutating func count(limit: Int = 50_000_000) throws(BundleError) -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw .corrupt(context, "count \(value) out of range") }
        return Int(value)
    }

    mutating func data() throws(BundleError) -> [UInt8] {
        let length = try count()
        guard length <= bytes.count - position else { throw .corrupt(context, "truncated field") }
        defer { position += length }
        return Array(bytes[position..<position + length])
    }

    mutating func string() throws(BundleError) -> String {
        let raw = try data()
        guard let text = String(validating: raw, as: UTF8.self) else { throw .corrupt(context, "invalid UTF-8") }
        return text
    }

    mutating func optionalString() throws(BundleError) -> String? {
        try u8() == 0 ? nil : try string()
    }
}

public enum BundleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a bundle this build can read (bad magic, unknown version, checksum mismatch).
    case corrupt(String, String)
    case unsupportedVersion(String, UInt8)
    /// Another backend uploaded this user's index since this one last loaded or wrote it: merge first.
    case anotherWriter(String)

    public var description: String {
        switch self {
        case .corrupt(let what, let detail): return "index bundle \(what): corrupt: \(detail)"
        case .unsupportedVersion(let what, let version): return "index bundle \(what): unsupported format version \(version)"
        case .anotherWriter(let directory): return "index bundles \(directory): another backend uploaded since this one loaded the user"
        }
    }
}
