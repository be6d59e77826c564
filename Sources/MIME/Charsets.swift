#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Charset conversion to UTF-8 with glibc iconv. A descriptor is opened per conversion (iconv_t is not
/// thread-safe, and opening costs microseconds against the milliseconds of a message's text).
/// Never throws and never drops input: unknown charsets fall back to UTF-8 if the bytes are valid UTF-8,
/// else to Latin-1 (one character per byte); bytes invalid in a known charset become U+FFFD one per byte.
public enum Charsets {
    /// Names mail uses that iconv does not know, or knows by a superset worth preferring.
    static let aliases: [String: String] = [
        "gb2312": "GB18030", "gbk": "GB18030", "x-gbk": "GB18030", "euc-cn": "GB18030",
        "ks_c_5601-1987": "CP949", "ks_c_5601": "CP949", "euc-kr": "CP949",
        "iso-8859-8-i": "ISO-8859-8", "x-sjis": "SHIFT_JIS", "shift-jis": "SHIFT_JIS", "sjis": "SHIFT_JIS",
        "windows-31j": "CP932", "unicode-1-1-utf-7": "UTF-7", "x-unknown": "", "unknown-8bit": "",
        "big5-hkscs": "BIG5-HKSCS", "x-mac-roman": "MACINTOSH", "macintosh": "MACINTOSH",
        "iso-2022-jp": "ISO-2022-JP-3", "cp-850": "CP850", "latin1": "ISO-8859-1"
    ]

    public static func toUTF8(_ bytes: Bytes, charset: String) -> String {
        let name = canonicalName(charset)
        if bytes.allSatisfy({ $0 < 0x80 }) && !name.hasPrefix("utf-16") && !name.hasPrefix("utf-32")
            && !name.hasPrefix("utf-7") && !name.contains("2022")
        {
            return String(decoding: bytes, as: UTF8.self)
        }
        switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "", "7bit", "8bit":
            return decodeUTF8OrLatin1(bytes)
        default:
            break
        }
        let target = aliases[name] ?? name
        if target.isEmpty { return decodeUTF8OrLatin1(bytes) }
        return iconvToUTF8(bytes, from: target) ?? decodeUTF8OrLatin1(bytes)
    }

    /// A charset label without surrounding blanks and quotes, lowercased. Trimmed on the UTF-8 view: a
    /// Foundation CharacterSet per call, or a String built from reversed Characters, cost more than the conversion
    /// (SEARCH decodes every cached header of the mailbox).
    static func canonicalName(_ label: String) -> String {
        func trimmed(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x22 }
        let utf8 = label.utf8
        guard let first = utf8.firstIndex(where: { !trimmed($0) }), let last = utf8.lastIndex(where: { !trimmed($0) }) else { return "" }
        let core = label[first...last]
        return core.utf8.contains(where: { (0x41...0x5A).contains($0) || $0 >= 0x80 }) ? core.lowercased() : String(core)
    }

    static func decodeUTF8OrLatin1(_ bytes: Bytes) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// nil if iconv does not know the charset.
    static func iconvToUTF8(_ input: Bytes, from charset: String) -> String? {
        let cd = iconv_open("UTF-8", charset)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var source = input.map { CChar(bitPattern: $0) }
        var output = Bytes()
        output.reserveCapacity(input.count * 2 + 16)
        let replacement: Bytes = [0xEF, 0xBF, 0xBD]
        let chunkSize = 4096
        let outChunk = UnsafeMutablePointer<CChar>.allocate(capacity: chunkSize)
        defer { outChunk.deallocate() }
        source.withUnsafeMutableBufferPointer { inBuf in
            var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
            var inLeft = inBuf.count
            while true {
                var outPtr: UnsafeMutablePointer<CChar>? = outChunk
                var outLeft = chunkSize
                let finishing = inLeft == 0
                // With no input left, a nil input flushes the shift state (ISO-2022-JP back to ASCII).
                let rc = finishing ? iconv(cd, nil, nil, &outPtr, &outLeft) : iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                let err = errno
                let produced = chunkSize - outLeft
                UnsafeRawBufferPointer(start: outChunk, count: produced).withMemoryRebound(to: UInt8.self) { output += $0 }
                if finishing { break }
                if rc == -1 {
                    if err == E2BIG && produced > 0 { continue }
                    guard inLeft > 0 else { break }
                    // Invalid or truncated sequence: one replacement per skipped byte, then go on.
                    output += replacement
                    inPtr = inPtr.map { $0 + 1 }
                    inLeft -= 1
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
