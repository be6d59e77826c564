import Logging
import NIOCore

/// What a listener needs to know about one accepted connection.
public struct ConnectionContext: Sendable {
    public var sessionID: String
    /// The logger of the session: every line carries `session` in its metadata.
    public var logger: Logger
    public var remoteAddress: SocketAddress?
    public var localAddress: SocketAddress?
    /// TLS and login policy (Sources/Server/TLS); `isTLS` when the listener is implicit TLS.
    public var security: ConnectionSecurity = .plaintextOnly
    public var isTLS = false

    /// The client's IP for logs and headers (`local` for a Unix socket).
    public var remoteIP: String { remoteAddress?.ipAddress ?? "local" }
}

/// A protocol the server can serve: its name (as in `protocols =` and `service NAME`) and how to
/// set up the pipeline of a new connection. LMTP is one; IMAP and POP3 plug in the same way.
public struct ProtocolService: Sendable {
    public var name: String
    public var initializeConnection: @Sendable (any Channel, ConnectionContext) -> EventLoopFuture<Void>

    public init(name: String, initializeConnection: @escaping @Sendable (any Channel, ConnectionContext) -> EventLoopFuture<Void>) {
        self.name = name
        self.initializeConnection = initializeConnection
    }
}
