/// Modified UTF-7 (RFC 3501 §5.1.3), the mailbox-name encoding of IMAP clients without UTF8=ACCEPT.
public enum ModifiedUTF7 {
    public struct DecodingError: Error, Sendable, Equatable {
        public var reason: String
    }

    /// Decodes `bytes`; rejects 8-bit bytes, bad base64, lone surrogates, non-zero padding bits and encoded
    /// runs that only hold printable ASCII (those must be sent directly).
    public static func decode(_ bytes: some Collection<UInt8>) throws(DecodingError) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte >= 0x20, byte <= 0x7E else { throw DecodingError(reason: "8-bit or control character") }
            guard byte == UInt8(ascii: "&") else {
                output.append(byte)
                continue
            }
            var bits: UInt32 = 0
            var bitCount = 0
            var units: [UInt16] = []
            var closed = false
            while let next = iterator.next() {
                if next == UInt8(ascii: "-") {
                    closed = true
                    break
                }
                guard let value = base64Value(next) else { throw DecodingError(reason: "invalid base64 character") }
                bits = (bits << 6) | UInt32(value)
                bitCount += 6
                if bitCount >= 16 {
                    bitCount -= 16
                    units.append(UInt16(truncatingIfNeeded: bits >> UInt32(bitCount)))
                    bits &= (1 << UInt32(bitCount)) - 1
                }
            }
            guard closed else { throw DecodingError(reason: "unterminated encoded sequence") }
            if units.isEmpty {
                guard bitCount == 0 else { throw DecodingError(reason: "truncated encoded sequence") }
                output.append(UInt8(ascii: "&"))
                continue
            }
            guard bitCount < 6, bits == 0 else { throw DecodingError(reason: "non-zero padding bits") }
            try appendUTF16(units, to: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendUTF16(_ units: [UInt16], to output: inout [UInt8]) throws(DecodingError) {
        var index = 0
        while index < units.count {
            let unit = units[index]
            var scalar: UInt32
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard index + 1 < units.count, units[index + 1] >= 0xDC00, units[index + 1] <= 0xDFFF else {
                    throw DecodingError(reason: "unpaired surrogate")
                }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(units[index + 1]) - 0xDC00)
                index += 2
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw DecodingError(reason: "unpaired surrogate")
            } else {
                scalar = UInt32(unit)
                index += 1
            }
            if scalar >= 0x20 && scalar <= 0x7E { throw DecodingError(reason: "printable ASCII must not be encoded") }
            guard let unicode = Unicode.Scalar(scalar) else { throw DecodingError(reason: "invalid scalar") }
            output.append(contentsOf: Array(String(Character(unicode)).utf8))
        }
    }

    /// Encodes `name`; printable ASCII passes through, `&` becomes `&-`.
    public static func encode(_ name: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(name.utf8.count + 8)
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            output.append(UInt8(ascii: "&"))
            var bits: UInt32 = 0
            var bitCount = 0
            for unit in pending {
                bits = (bits << 16) | UInt32(unit)
                bitCount += 16
                while bitCount >= 6 {
                    bitCount -= 6
                    output.append(alphabet[Int((bits >> UInt32(bitCount)) & 0x3F)])
                }
                bits &= (1 << UInt32(bitCount)) - 1
            }
            if bitCount > 0 { output.append(alphabet[Int((bits << UInt32(6 - bitCount)) & 0x3F)]) }
            output.append(UInt8(ascii: "-"))
            pending.removeAll(keepingCapacity: true)
        }
        for scalar in name.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                output.append(UInt8(scalar.value))
                if scalar == "&" { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: String(scalar).utf16)
            }
        }
        flush()
        return String(decoding: output, as: UTF8.self)
    }

    /// True when `name` can be sent without encoding (printable ASCII without `&`).
    static func isPlainASCII(_ name: String) -> Bool {
        name.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != UInt8(ascii: "&") }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    private static func base64Value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: ","): 63
        default: nil
        }
    }
}
