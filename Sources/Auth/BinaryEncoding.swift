import Foundation

/// How a scheme writes binary digests: Dovecot's base64 and hex, chosen by the scheme or a `.b64`/`.hex` suffix.
public enum BinaryEncoding: Sendable, Equatable {
    case none
    case base64
    case hex

    func encode(_ bytes: [UInt8]) -> String {
        switch self {
        case .none: return String(decoding: bytes, as: UTF8.self)
        case .base64: return Data(bytes).base64EncodedString()
        case .hex: return Self.hexString(bytes)
        }
    }

    func decode(_ text: String) -> [UInt8]? {
        switch self {
        case .none: return Array(text.utf8)
        case .base64: return Data(base64Encoded: text).map { Array($0) }
        case .hex: return Self.hexBytes(text)
        }
    }

    static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
