import Primitives

/// Percent-encoding as SigV4 and S3 require it: every byte except `A-Z a-z 0-9 - _ . ~` becomes `%XX`
/// (upper-case hex, UTF-8 bytes). The same string is signed and put on the wire, so a server never
/// sees a different spelling than the one we signed.
public enum S3PercentEncoding {
    /// Encodes `value`; with `keepSlash`, `/` stays literal (object keys in the request path).
    public static func encode(_ value: String, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                Hex.append(byte, uppercase: true, to: &out)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes (as in the credentials of a URL). Returns nil on a malformed escape.
    public static func decode(_ value: String) -> String? {
        var out = [UInt8]()
        var bytes = value.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else {
                out.append(byte)
                continue
            }
            guard let high = bytes.next().flatMap(Hex.value), let low = bytes.next().flatMap(Hex.value) else { return nil }
            out.append(high << 4 | low)
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
