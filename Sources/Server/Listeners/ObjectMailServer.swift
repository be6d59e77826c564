import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Binds the configured listeners on one shared event-loop group and hands each accepted
/// connection to its protocol, with a fresh session id.
///
/// The protocols and the connection security are read at every accept, so a reload (SIGHUP) swaps them
/// for new connections while open sessions keep what they started with, as Dovecot's running processes do.
public final class ObjectMailServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    private let current: Mutex<Current>
    private let connections = ConnectionRegistry()
    private let listening = Mutex<[(spec: ListenerSpec, channel: any Channel)]>([])

    /// What new connections get.
    private struct Current: Sendable {
        var services: [String: ProtocolService]
        var security: ConnectionSecurity
    }

    /// Connections wait for this before they are served (`beginAccepting`); completed exactly once.
    private let accepting: EventLoopPromise<Void>
    private let acceptingDecided = Atomic<Bool>(false)

    /// `holdingConnections`: bind now, serve after `beginAccepting()` — a server started as root binds its
    /// ports, then gives up root, and only then touches a user's files.
    public init(
        services: [ProtocolService], threads: Int = System.coreCount, logger: Logger,
        security: ConnectionSecurity = .plaintextOnly, holdingConnections: Bool = false
    ) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        accepting = group.next().makePromise(of: Void.self)
        current = Mutex(Current(services: Self.byName(services), security: security))
        self.logger = logger
        if !holdingConnections { beginAccepting() }
    }

    private static func byName(_ services: [ProtocolService]) -> [String: ProtocolService] {
        Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Serves the connections accepted so far and every one after.
    public func beginAccepting() {
        if !acceptingDecided.exchange(true, ordering: .acquiringAndReleasing) { accepting.succeed() }
    }

    public var security: ConnectionSecurity { current.withLock { $0.security } }

    /// Open connections by service (imap, pop3, lmtp, auth …); services with none are absent.
    public var connectionCounts: [String: Int] { connections.countsByService }

    /// Yields after the connection counts changed (the newest change only: a late reader finds one element,
    /// whatever happened meanwhile). One reader: the process title.
    public var connectionCountChanges: AsyncStream<Void> { connections.changes }

    /// New connections from now on are served by `services` under `security`.
    public func replace(services: [ProtocolService], security: ConnectionSecurity) {
        current.withLock { $0 = Current(services: Self.byName(services), security: security) }
    }

    /// Binds every listener; if one fails, those already bound are closed and the error is thrown.
    public func start(_ specs: [ListenerSpec]) async throws {
        do {
            for spec in Self.bindingOrder(specs) {
                let channel = try await bind(spec)
                listening.withLock { $0.append((spec, channel)) }
            }
        } catch {
            for (_, channel) in listening.withLock({ $0 }) { try? await channel.close() }
            throw error
        }
    }

    /// Makes the listeners `specs`: closes those no longer named (their open sessions go on), binds the new
    /// ones, keeps the rest (their sockets never close). A listener that cannot be bound is reported and
    /// skipped; the others still change.
    public func reconcile(_ specs: [ListenerSpec]) async -> ListenerChanges {
        var changes = ListenerChanges()
        let existing = listening.withLock { $0 }
        for (spec, channel) in existing where !specs.contains(spec) {
            try? await channel.close()
            listening.withLock { $0.removeAll { $0.channel === channel } }
            changes.closed.append(spec)
        }
        for spec in Self.bindingOrder(specs) where !existing.contains(where: { $0.spec == spec }) {
            do {
                let channel = try await bind(spec)
                listening.withLock { $0.append((spec, channel)) }
                changes.opened.append(spec)
            } catch {
                changes.failed.append(error as? ListenerError ?? ListenerError(listener: spec.description, message: "\(error)"))
            }
        }
        return changes
    }

    /// Unix sockets first: whoever waits for a TCP port (a supervisor, a test, Postfix's start-up ordering)
    /// then finds the local sockets already there, at start and after a reload alike.
    private static func bindingOrder(_ specs: [ListenerSpec]) -> [ListenerSpec] {
        specs.filter(\.isUnix) + specs.filter { !$0.isUnix }
    }

    /// The addresses actually bound (port 0 resolves to the chosen port).
    public var boundAddresses: [SocketAddress] { listening.withLock { $0.compactMap { $0.channel.localAddress } } }

    private func bind(_ spec: ListenerSpec) async throws -> any Channel {
        let (service, security) = current.withLock { ($0.services[spec.service], $0.security) }
        guard service != nil else { throw ListenerError(listener: spec.description, message: "no such protocol") }
        if spec.ssl && security.tls == nil {
            throw ListenerError(listener: spec.description, message: "ssl = yes needs TLS: set ssl_cert and ssl_key (and not ssl = no)")
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { [self] channel in
                // Held until `beginAccepting()`: the kernel queues connections while the server finishes starting.
                accepting.futureResult.hop(to: channel.eventLoop).flatMap { self.initialize(channel, spec: spec) }
            }
        do {
            switch spec.endpoint {
            case .inet(let host, let port):
                return try await bootstrap.bind(host: host, port: port).get()
            case .unix(let path, let mode, let user, let group):
                let channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
                do {
                    if let warning = try UnixSocketPermissions.apply(path: path, mode: mode, user: user, group: group) {
                        logger.warning("\(warning)")
                    }
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

    /// One accepted connection: a session id, the protocol's pipeline, and TLS first on an implicit-TLS listener.
    private func initialize(_ channel: any Channel, spec: ListenerSpec) -> EventLoopFuture<Void> {
        let (service, security) = current.withLock { ($0.services[spec.service], $0.security) }
        let implicitTLS = spec.ssl ? security.tls : nil
        guard let service, !spec.ssl || implicitTLS != nil else {
            // A reload took the protocol or TLS away; the listener is being closed.
            return channel.close()
        }
        connections.add(channel, service: spec.service)
        ServerMetrics.connectionOpened(service: spec.service)
        channel.closeFuture.whenComplete { _ in ServerMetrics.connectionClosed(service: spec.service) }
        var sessionLogger = logger
        let id = SessionID.make()
        SessionDirectory.shared.opened(channel, id: id)
        sessionLogger[metadataKey: "session"] = "\(id)"
        let context = ConnectionContext(
            sessionID: id, logger: sessionLogger,
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

    /// Stops accepting, lets open sessions finish for up to `grace`, then closes the rest.
    public func shutdown(grace: Duration = .seconds(10)) async {
        for (_, channel) in listening.withLock({ $0 }) { try? await channel.close() }
        // Connections still held (a start that failed before serving) are closed unserved.
        if !acceptingDecided.exchange(true, ordering: .acquiringAndReleasing) { accepting.fail(ChannelError.ioOnClosedChannel) }
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

/// What `reconcile` did.
public struct ListenerChanges: Sendable {
    public var opened: [ListenerSpec] = []
    public var closed: [ListenerSpec] = []
    public var failed: [ListenerError] = []
}

public struct ListenerError: Error, Sendable, CustomStringConvertible {
    public var listener: String
    public var message: String

    public var description: String { "\(listener): \(message)" }
}
