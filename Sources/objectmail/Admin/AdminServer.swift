import Foundation
import Logging
import NIOCore
import NIOPosix
import ObjectMail

#if canImport(Glibc)
    import Glibc
#endif

/// The server's admin socket (Dovecot's doveadm-server socket in base_dir): `objectmail metacache …` and
/// `objectmail doveadm …` send one request line and read the answer, so the commands act on the running server's
/// users; `objectmail lda` sends a delivery and its message (`LDAConnection`). A NIO listener like the protocols':
/// each connection is a task on the shared event loops, its storage work awaited, so an MTA running many
/// deliveries at once costs tasks, not threads.
final class AdminServer: Sendable {
    /// A request line is at most this long (a doveadm request carries JSON).
    static let maximumLine = 1 << 20
    /// Dovecot's doveadm-server gives a silent client no longer before it closes the connection.
    static let readTimeout = TimeAmount.seconds(10)

    let path: String
    private let channel: any Channel
    private let serving: Task<Void, Never>

    private init(path: String, channel: any Channel, serving: Task<Void, Never>) {
        self.path = path
        self.channel = channel
        self.serving = serving
    }

    /// Listens at `path` (a stale socket file from a crashed server is replaced), mode 0600.
    static func start(path: String, storage: MailStorage, deliveries: LocalDeliveryAgent, logger: Logger) async throws -> AdminServer {
        let descriptor = try UnixSocket.listen(at: path)
        let listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 16)
                .bind(descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: readTimeout))
                        try channel.pipeline.syncOperations.addHandler(CloseWhenIdle())
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            // The descriptor is NIO's once handed over, closed by it on failure; closing it here too could close
            // a descriptor opened meanwhile under the same number.
            unlink(path)
            throw error
        }
        let serving = Task {
            do {
                try await listener.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            group.addTask { await serve(connection, storage: storage, deliveries: deliveries, logger: logger) }
                        }
                    }
                }
            } catch {
                logger.error("admin socket \(path): \(error)")
            }
        }
        return AdminServer(path: path, channel: listener.channel, serving: serving)
    }

    private static func serve(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, storage: MailStorage,
        deliveries: LocalDeliveryAgent, logger: Logger
    ) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var input = AdminInput(inbound.makeAsyncIterator())
                guard let request = try await input.line(limit: maximumLine) else { return }
                if request.hasPrefix("lda\t") {
                    return try await LDAConnection.serve(
                        line: String(request.dropFirst(4)), input: &input, output: outbound,
                        delivery: deliveries.delivery, logger: logger)
                }
                let answer = await AdminRequest.answer(request, storage: storage, logger: logger)
                try await outbound.write(ByteBuffer(string: answer))
            }
        } catch {
            // The client went away or sent too much: it gets no answer, and nothing was done for it.
            logger.debug("admin socket: \(error)")
        }
    }

    func stop() async {
        try? await channel.close()
        serving.cancel()
        unlink(path)
    }
}

/// Closes a connection that sent nothing for `AdminServer.readTimeout`.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            return context.fireUserInboundEventTriggered(event)
        }
        context.close(promise: nil)
    }
}
