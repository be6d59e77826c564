import Logging

/// One session's view of its transport: TLS or not, STARTTLS under way, and who the client is (the
/// socket's peer or what a trusted proxy forwarded). IMAP keeps one; POP3 and LMTP can do the same.
public struct SessionTransport: Sendable {
    public let security: ConnectionSecurity
    public var client: ClientAddress
    public private(set) var tlsActive: Bool
    /// STARTTLS answered, handshake not done: anything read now is clear text pipelined behind the
    /// command (CVE-2011-0411) and is dropped.
    public private(set) var awaitingHandshake = false
    /// Clear-text frames dropped while awaiting the handshake, for the log.
    public private(set) var droppedFrames = 0

    public init(_ connection: ConnectionContext) {
        self.init(security: connection.security, client: ClientAddress(connection), tls: connection.isTLS)
    }

    public init(security: ConnectionSecurity, client: ClientAddress, tls: Bool = false) {
        self.security = security
        self.client = client
        tlsActive = tls
    }

    public var secured: Bool { security.isSecured(client, tls: tlsActive) }
    public var plaintextAuthAllowed: Bool { security.allowsPlaintextAuth(client, tls: tlsActive) }
    /// STARTTLS is offered: TLS is configured and not yet on.
    public var canStartTLS: Bool { security.tls != nil && !tlsActive && !awaitingHandshake }

    public mutating func startingTLS() {
        awaitingHandshake = true
    }

    /// Called for each frame read; false means drop it (it arrived in clear text after STARTTLS).
    public mutating func accepts() -> Bool {
        guard awaitingHandshake else { return true }
        droppedFrames += 1
        return false
    }

    public mutating func handshakeCompleted(logger: Logger) {
        if droppedFrames > 0 {
            logger.warning("dropped \(droppedFrames) command(s) pipelined in clear text after STARTTLS (possible injection)")
        }
        awaitingHandshake = false
        droppedFrames = 0
        tlsActive = true
    }

    /// Takes the client's identity from a trusted proxy (IMAP ID `x-originating-ip` …); from anyone else the
    /// fields are ignored, as Dovecot does. Returns whether anything was applied.
    @discardableResult
    public mutating func applyForwarded(_ fields: [(name: String, value: String)]) -> Bool {
        guard security.isTrustedProxy(client) else { return false }
        var applied = false
        for field in fields where client.applyForwarded(field.name, field.value) { applied = true }
        return applied
    }
}
