import Auth
import Logging

/// The TLS and login policy every protocol applies to its connections, shared by all listeners.
public struct ConnectionSecurity: Sendable {
    /// nil when TLS is off or has no certificate: STARTTLS/STLS are then not offered.
    public var tls: TLSContextProvider?
    public var mode: TLSSettings.Mode
    public var disablePlaintextAuth: Bool
    public var trustedNetworks: NetworkList

    public init(tls: TLSContextProvider?, mode: TLSSettings.Mode, disablePlaintextAuth: Bool, trustedNetworks: NetworkList) {
        self.tls = tls
        self.mode = mode
        self.disablePlaintextAuth = disablePlaintextAuth
        self.trustedNetworks = trustedNetworks
    }

    /// From the settings: builds (or generates) the TLS context; a certificate that cannot be used is an error.
    public init(settings: TLSSettings, logger: Logger) throws {
        self.init(
            tls: try TLSContextProvider.make(settings, logger: logger), mode: settings.mode,
            disablePlaintextAuth: settings.disablePlaintextAuth, trustedNetworks: NetworkList(settings.trustedNetworks))
    }

    /// No TLS, Dovecot's default login policy: what a server gets when nothing is configured (unit tests).
    public static let plaintextOnly = ConnectionSecurity(
        tls: nil, mode: .no, disablePlaintextAuth: true,
        trustedNetworks: NetworkList(""))

    /// Dovecot's rule: a connection is secured when it is TLS, comes from a trusted network, or comes from
    /// the very address it connected to (the same host); a Unix socket is local.
    public func isSecured(_ client: ClientAddress, tls active: Bool) -> Bool {
        if active { return true }
        guard let remote = client.connectionIP else { return true }
        if trustedNetworks.contains(remote) { return true }
        guard let local = client.connectionLocalIP, let remoteBytes = NetworkList.bytes(of: remote) else { return false }
        return remoteBytes == NetworkList.bytes(of: local)
    }

    /// Whether a password may be sent now (LOGIN, AUTHENTICATE PLAIN/LOGIN, USER/PASS).
    public func allowsPlaintextAuth(_ client: ClientAddress, tls active: Bool) -> Bool {
        if isSecured(client, tls: active) { return true }
        return !disablePlaintextAuth && mode != .required
    }

    /// Whether `connectionIP` may forward a client's identity (IMAP ID x-originating-*, XCLIENT).
    public func isTrustedProxy(_ client: ClientAddress) -> Bool {
        trustedNetworks.contains(client.connectionIP)
    }
}

/// Who the client is: the socket's peer, or what a trusted proxy says about the client behind it.
/// Logs, auth penalties and `mail_max_userip_connections` use `ip`; the secured rule uses the socket.
public struct ClientAddress: Sendable, Equatable {
    /// The socket's peer and local address (nil: a Unix socket).
    public let connectionIP: String?
    public let connectionLocalIP: String?
    public var ip: String?
    public var port: Int?
    public var localIP: String?
    public var localPort: Int?
    /// `x-session-id` / `x-session-ext-id` (IMAP ID) or XCLIENT SESSION: the proxy's session id, kept in logs.
    public var forwardedSessionID: String?
    /// XCLIENT HELO and LOGIN (LMTP): the client's HELO name and SMTP AUTH user as the proxy saw them.
    public var forwardedHelo: String?
    public var forwardedLogin: String?

    public init(_ connection: ConnectionContext) {
        self.init(
            connectionIP: connection.remoteAddress?.ipAddress, connectionLocalIP: connection.localAddress?.ipAddress,
            port: connection.remoteAddress?.port, localPort: connection.localAddress?.port)
    }

    public init(connectionIP: String?, connectionLocalIP: String?, port: Int? = nil, localPort: Int? = nil) {
        self.connectionIP = connectionIP
        self.connectionLocalIP = connectionLocalIP
        ip = connectionIP
        self.port = port
        localIP = connectionLocalIP
        self.localPort = localPort
    }

    /// Applies one forwarded field (IMAP ID names, case-insensitive); false when the name is not one of them.
    /// Addresses that are not IPs are ignored, as Dovecot ignores them.
    @discardableResult
    public mutating func applyForwarded(_ name: String, _ value: String) -> Bool {
        switch name.lowercased() {
        case "x-originating-ip": if NetworkList.bytes(of: value) != nil { ip = value }
        case "x-originating-port": if let number = Int(value), (1...65535).contains(number) { port = number }
        case "x-connected-ip": if NetworkList.bytes(of: value) != nil { localIP = value }
        case "x-connected-port": if let number = Int(value), (1...65535).contains(number) { localPort = number }
        case "x-session-id", "x-session-ext-id": if !value.isEmpty && value.count <= 64 { forwardedSessionID = value }
        default: return false
        }
        return true
    }

    /// Dovecot's login-line fields: `rip=… rport=… lip=… lport=…`.
    public var logFields: String {
        var text = "rip=\(ip ?? "local")"
        if let port { text += ", rport=\(port)" }
        if let localIP { text += ", lip=\(localIP)" }
        if let localPort { text += ", lport=\(localPort)" }
        return text
    }
}
