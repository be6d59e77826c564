import Foundation
import Primitives

/// How a scheme writes binary digests: Dovecot's base64 and hex, chosen by the scheme or a `.b64`/`.hex` suffix.
public enum BinaryEncoding: Sendable, Equatable {
    case none
    case base64
    case hex

    func encode(_ bytes: [UInt8]) -> String {
        switch self {
        case .none: return String(decoding: bytes, as: UTF8.self)
        case .base64: return Data(bytes).base64EncodedString()
        case .hex: return Hex.encode(bytes)
        }
    }

    func decode(_ text: String) -> [UInt8]? {
        switch self {
        case .none: return Array(text.utf8)
        case .base64: return Data(base64Encoded: text).map { Array($0) }
        case .hex: return Hex.decode(text)
        }
    }
}
