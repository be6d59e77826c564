import Auth
import NIOCore
import ObjectMail

extension ProtocolService {
    /// ManageSieve (RFC 5804), `protocols = sieve`: a command framer that takes literals, then a handler that feeds a
    /// `ManageSieveSession` task.
    public static func manageSieve(
        authenticator: Authenticator, storage: MailStorage, configuration: ManageSieveConfiguration,
        registries: SessionRegistries = SessionRegistries()
    ) -> ProtocolService {
        let login = SessionLogin(
            authenticator: authenticator, storage: storage,
            userIPConnections: UserIPConnections(limit: configuration.maxUserIPConnections, counts: registries.sieveUserIP),
            service: "sieve")
        return ProtocolService(name: "sieve") { channel, connection in
            channel.eventLoop.makeCompletedFuture {
                let traffic = TrafficCounter()
                let (inputs, continuation) = AsyncStream<ManageSieveSessionInput>.makeStream()
                // A literal holds a script (PUTSCRIPT, CHECKSCRIPT) or a SASL response: none is larger than the script
                // limit or a command line.
                let maxLiteral = max(configuration.maxLineLength, min(configuration.limits.maxScriptSize, 64 << 20))
                let makeFramer: @Sendable () -> any ChannelHandler = {
                    ByteToMessageHandler(ManageSieveFramer(maxLineLength: configuration.maxLineLength, maxLiteralSize: maxLiteral))
                }
                let session = ManageSieveSession(
                    channel: channel, connection: connection, login: login, configuration: configuration, traffic: traffic,
                    inputs: continuation, makeFramer: makeFramer)
                try channel.pipeline.syncOperations.addHandler(TrafficCountingHandler(traffic: traffic))
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: configuration.autologout))
                try channel.pipeline.syncOperations.addHandler(makeFramer(), name: TLSUpgrade.framerName)
                try channel.pipeline.syncOperations.addHandler(ManageSieveChannelHandler(inputs: continuation, traffic: traffic))
                EventLoopTaskExecutor.startSession(on: channel.eventLoop) { await session.run(inputs) }
            }
        }
    }
}

/// What the session task reacts to.
enum ManageSieveSessionInput: Sendable {
    /// The connection is up: time for the greeting.
    case connected
    case frame(ManageSieveFrame)
    case idleTimeout
    /// The TLS handshake after STARTTLS is done: input from here on came through TLS.
    case tlsEstablished
}

/// Hands framed commands to the session task, and turns the idle timer into an input.
final class ManageSieveChannelHandler: SessionChannelHandler<ManageSieveFrame, ManageSieveSessionInput> {
    private var idleEvents = 0

    init(inputs: AsyncStream<ManageSieveSessionInput>.Continuation, traffic: TrafficCounter) {
        super.init(inputs: inputs, traffic: traffic, connected: .connected)
    }

    override func input(for frame: ManageSieveFrame, context: ChannelHandlerContext) -> ManageSieveSessionInput? {
        idleEvents = 0
        return .frame(frame)
    }

    override func input(forEvent event: Any, context: ChannelHandlerContext) -> ManageSieveSessionInput? {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all else { return nil }
        idleEvents += 1
        // The second one means the session could not even answer the first: close without it.
        guard idleEvents == 1 else {
            context.close(promise: nil)
            return nil
        }
        return .idleTimeout
    }
}
