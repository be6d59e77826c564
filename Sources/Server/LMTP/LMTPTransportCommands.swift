/// What LHLO advertises for STARTTLS and XCLIENT, and XCLIENT's parameters.
enum LMTPTransportCommands {
    /// XCLIENT only to trusted peers (login_trusted_networks), as Dovecot's LMTP does.
    static func capabilities(_ transport: SessionTransport) -> [String] {
        var list: [String] = []
        if transport.canStartTLS { list.append("STARTTLS") }
        if transport.security.isTrustedProxy(transport.client) { list.append("XCLIENT ADDR PORT TTL TIMEOUT HELO LOGIN") }
        return list
    }
}

/// `XCLIENT NAME=VALUE …` (Postfix's XCLIENT, as Dovecot's LMTP server accepts it): xtext values,
/// `[UNAVAILABLE]` / `[TEMPUNAVAIL]` for unknown ones, `IPV6:` before IPv6 addresses.
enum XClient {
    static let names: Set<String> = [
        "ADDR", "PORT", "HELO", "LOGIN", "TTL", "TIMEOUT", "NAME", "PROTO", "SESSION",
        "DESTADDR", "DESTPORT", "FORWARD"
    ]

    static func parse(_ text: Substring) -> [String: String]? {
        var fields: [String: String] = [:]
        for word in text.split(separator: " ") {
            let pair = word.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, names.contains(pair[0].uppercased()) else { return nil }
            fields[pair[0].uppercased()] = String(pair[1]).xtextDecoded
        }
        return fields.isEmpty ? nil : fields
    }
}

extension SessionTransport {
    /// Applies XCLIENT from a trusted peer; false (nothing applied) for anyone else.
    mutating func applyXClient(_ fields: [String: String]) -> Bool {
        guard security.isTrustedProxy(client) else { return false }
        func known(_ name: String) -> String? {
            guard let value = fields[name], value != "[UNAVAILABLE]", value != "[TEMPUNAVAIL]" else { return nil }
            return value
        }
        if var address = known("ADDR") {
            if address.uppercased().hasPrefix("IPV6:") { address = String(address.dropFirst(5)) }
            client.applyForwarded("x-originating-ip", address)
        }
        if let port = known("PORT") { client.applyForwarded("x-originating-port", port) }
        if var address = known("DESTADDR") {
            if address.uppercased().hasPrefix("IPV6:") { address = String(address.dropFirst(5)) }
            client.applyForwarded("x-connected-ip", address)
        }
        if let port = known("DESTPORT") { client.applyForwarded("x-connected-port", port) }
        if let session = known("SESSION") { client.applyForwarded("x-session-id", session) }
        if let helo = known("HELO") { client.forwardedHelo = helo }
        if let login = known("LOGIN") { client.forwardedLogin = login }
        return true
    }
}
