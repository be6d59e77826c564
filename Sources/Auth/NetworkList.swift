import Foundation

/// `allow_nets=10.0.0.0/8,::1` from a passdb, `login_trusted_networks`: a list of IP networks.
public struct NetworkList: Sendable {
    private struct Network: Sendable {
        var address: [UInt8]
        var prefix: Int
    }

    private let networks: [Network]

    public init(_ text: String) {
        networks = text.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { item in
            let parts = item.split(separator: "/", maxSplits: 1)
            guard let address = Self.bytes(of: String(parts[0])) else { return nil }
            let prefix = parts.count == 2 ? Int(parts[1]) ?? -1 : address.count * 8
            guard prefix >= 0, prefix <= address.count * 8 else { return nil }
            return Network(address: address, prefix: prefix)
        }
    }

    public var isEmpty: Bool { networks.isEmpty }

    public func contains(_ ip: String?) -> Bool {
        guard let ip, let address = Self.bytes(of: ip) else { return false }
        return networks.contains { network in
            guard network.address.count == address.count else { return false }
            var remaining = network.prefix
            for index in 0..<address.count where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != network.address[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    /// 4 bytes for IPv4 (also IPv4-mapped IPv6), 16 for IPv6, nil for anything else.
    public static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes.suffix(4)) }
            return bytes
        }
        return nil
    }
}
