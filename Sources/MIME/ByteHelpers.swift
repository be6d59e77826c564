#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Raw message bytes. Header values and BODYSTRUCTURE strings stay as bytes because mail carries
/// 8-bit junk that must reach the wire unchanged (a Swift `String` would replace it).
public typealias Bytes = [UInt8]

enum ASCII {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let dash: UInt8 = 0x2D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C

    @inline(__always) static func isWSP(_ b: UInt8) -> Bool { b == space || b == tab }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr || b == lf }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
}

extension UnsafeRawBufferPointer {
    /// Index of the first `byte` in `from..<to`, or nil. memchr: the hot loops never touch bytes one by one in Swift.
    @inline(__always)
    func firstIndex(of byte: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let base = baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Whether the bytes at `at` equal `needle` (bounded by `limit`).
    @inline(__always)
    func matches(_ needle: UnsafeRawBufferPointer, at: Int, limit: Int) -> Bool {
        guard at >= 0, needle.count <= limit - at, let base = baseAddress, let n = needle.baseAddress else { return false }
        return memcmp(base + at, n, needle.count) == 0
    }
}

extension Array where Element == UInt8 {
    /// ASCII case-insensitive comparison, used for header names and MIME tokens.
    func equalsIgnoringCase(_ other: String) -> Bool {
        let o = Array(other.utf8)
        guard o.count == count else { return false }
        for i in 0..<count where ASCII.lower(self[i]) != ASCII.lower(o[i]) { return false }
        return true
    }

    var asciiLowercased: Bytes { map(ASCII.lower) }

    func trimmingWhitespace() -> Bytes {
        var s = startIndex
        var e = endIndex
        while s < e && ASCII.isSpace(self[s]) { s += 1 }
        while e > s && ASCII.isSpace(self[e - 1]) { e -= 1 }
        return Array(self[s..<e])
    }

    /// Lossy view for logs and for callers that want text: valid UTF-8 as is, otherwise Latin-1 per byte.
    var text: String { Charsets.decodeUTF8OrLatin1(self) }
}

extension String {
    var bytes: Bytes { Array(utf8) }
}
