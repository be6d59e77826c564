import IMAPProtocol
import NIOCore

/// STARTTLS, the capabilities that depend on the transport, and the plaintext-login rule.
extension IMAPSession {
    /// Before login: STARTTLS while TLS can start; LOGINDISABLED and no AUTH= while a password may not be
    /// sent (Dovecot hides the plaintext mechanisms, and this build has no other).
    var preLoginCapabilityList: [String] {
        let offered = SASLExchange.offered(by: authenticator).map { "AUTH=" + $0.rawValue }
        var list = Self.preLoginCapabilities.filter { !$0.hasPrefix("AUTH=") || offered.contains($0) }
        if transport.canStartTLS {
            list.insert("STARTTLS", at: list.firstIndex(of: "IMAP4rev1").map { $0 + 1 } ?? 0)
        }
        if !transport.plaintextAuthAllowed {
            list.removeAll { $0.uppercased().hasPrefix("AUTH=") }
            list.append("LOGINDISABLED")
        }
        return list
    }

    /// False (and the tagged NO written) when a password may not be sent on this connection.
    func checkPlaintextAuth(_ tag: String) -> Bool {
        guard !transport.plaintextAuthAllowed else { return true }
        let text =
            transport.security.mode == .required && transport.security.tls != nil
            ? "Authentication not allowed until SSL/TLS is enabled."
            : "Plaintext authentication disallowed on non-secure (SSL/TLS) connections."
        tagged(tag, .no, code: .privacyRequired, text)
        return false
    }

    func startTLS(tag: String) async {
        guard let provider = transport.security.tls else { return tagged(tag, .bad, "TLS support isn't enabled.") }
        guard transport.canStartTLS else { return tagged(tag, .bad, "TLS is already active.") }
        guard user == nil else { return tagged(tag, .bad, "STARTTLS is only allowed before login.") }
        flush()
        var reply = channel.allocator.buffer(capacity: 48)
        encoder.writeTagged(tag, .ok, "Begin TLS negotiation now.", into: &reply)
        transport.startingTLS()
        let inputs = self.inputs
        do {
            try await TLSUpgrade.startTLS(
                on: channel, context: provider.context, reply: reply, makeFramer: makeFramer,
                onEstablished: { inputs.yield(.tlsEstablished) }
            ).get()
        } catch {
            logger.error("STARTTLS failed: \(error)")
            end(nil)
        }
    }

}
