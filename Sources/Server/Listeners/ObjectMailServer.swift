import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Binds the configured listeners on one shared event-loop group and hands each accepted
/// connection to its protocol, with a fresh session id.
public final class ObjectMailServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let services: [String: ProtocolService]
    let logger: Logger
    let security: ConnectionSecurity
    private let connections = ConnectionRegistry()
    private let listening = Mutex<[any Channel]>([])

    public init(services: [ProtocolService], threads: Int = System.coreCount, logger: Logger,
                security: ConnectionSecurity = .plaintextOnly) {
        self.security = security
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.services = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.logger = logger
    }

    /// Binds every listener; if one fails, those already bound are closed and the error is thrown.
    public func start(_ specs: [ListenerSpec]) async throws {
        do {
            for spec in specs {
                guard let service = services[spec.service] else {
                    throw ListenerError(listener: spec.description, message: "no such protocol")
                }
                let channel = try await bind(spec, service: service)
                listening.withLock { $0.append(channel) }
            }
        } catch {
            for channel in listening.withLock({ $0 }) { try? await channel.close() }
            throw error
        }
    }

    /// The addresses actually bound (port 0 resolves to the chosen port).
    public var boundAddresses: [SocketAddress] { listening.withLock { channels in channels.compactMap { $0.localAddress } } }

    private func bind(_ spec: ListenerSpec, service: ProtocolService) async throws -> any Channel {
        let connections = self.connections, logger = self.logger, security = self.security
        let implicitTLS = spec.ssl ? security.tls : nil
        if spec.ssl && implicitTLS == nil {
            throw ListenerError(listener: spec.description, message: "ssl = yes needs TLS: set ssl_cert and ssl_key (and not ssl = no)")
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                connections.add(channel)
                ServerMetrics.connectionOpened(service: spec.service)
                channel.closeFuture.whenComplete { _ in ServerMetrics.connectionClosed(service: spec.service) }
                var sessionLogger = logger
                let id = SessionID.make()
                SessionDirectory.shared.opened(channel, id: id)
                sessionLogger[metadataKey: "session"] = "\(id)"
                let context = ConnectionContext(sessionID: id, logger: sessionLogger,
                                                remoteAddress: channel.remoteAddress, localAddress: channel.localAddress,
                                                security: security, isTLS: implicitTLS != nil)
                if let implicitTLS {
                    // The provider's current context: after a SIGHUP reload, new connections get the new certificate.
                    do { try TLSUpgrade.addTLSHandler(to: channel, context: implicitTLS.context) } catch {
                        return channel.eventLoop.makeFailedFuture(error)
                    }
                }
                return service.initializeConnection(channel, context)
            }
        do {
            switch spec.endpoint {
            case .inet(let host, let port):
                return try await bootstrap.bind(host: host, port: port).get()
            case .unix(let path, let mode, let user, let group):
                let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
                do {
                    try UnixSocketPermissions.apply(path: path, mode: mode, user: user, group: group)
                } catch {
                    try? await channel.close()
                    throw error
                }
                return channel
            }
        } catch let error as ListenerError {
            throw error
        } catch {
            throw ListenerError(listener: spec.description, message: "\(error)")
        }
    }

    /// Stops accepting, lets open sessions finish for up to `grace`, then closes the rest.
    public func shutdown(grace: Duration = .seconds(10)) async {
        for channel in listening.withLock({ $0 }) { try? await channel.close() }
        connections.announceShutdown()
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while connections.count > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if connections.count > 0 {
            logger.notice("closing \(connections.count) sessions still open after the shutdown grace period")
            for future in connections.closeAll() { try? await future.get() }
        }
        try? await group.shutdownGracefully()
    }
}

public struct ListenerError: Error, Sendable, CustomStringConvertible {
    public var listener: String
    public var message: String

    public var description: String { "\(listener): \(message)" }
}
