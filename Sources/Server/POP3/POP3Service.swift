import Auth
import NIOCore
import ObjectMail
import Synchronization

extension ProtocolService {
    /// The POP3 protocol: a line framer, then a handler that feeds a `POP3Session` task.
    /// `registries` carries what must outlive a reload: the per-user-and-IP session counts and the maildrop locks.
    public static func pop3(
        authenticator: Authenticator, storage: MailStorage, configuration: POP3Configuration,
        registries: SessionRegistries = SessionRegistries()
    ) -> ProtocolService {
        let login = SessionLogin(
            authenticator: authenticator, storage: storage,
            userIPConnections: UserIPConnections(limit: configuration.maxUserIPConnections, counts: registries.pop3UserIP),
            service: "pop3")
        let locks = registries.pop3Locks
        return ProtocolService(name: "pop3") { channel, connection in
            channel.eventLoop.makeCompletedFuture {
                let traffic = TrafficCounter()
                let (inputs, continuation) = AsyncStream<POP3SessionInput>.makeStream()
                let makeFramer: @Sendable () -> any ChannelHandler = { ByteToMessageHandler(LineFramer()) }
                let session = POP3Session(
                    channel: channel, connection: connection, login: login, locks: locks,
                    configuration: configuration, traffic: traffic, inputs: continuation,
                    makeFramer: makeFramer)
                try channel.pipeline.syncOperations.addHandler(TrafficCountingHandler(traffic: traffic))
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: configuration.autologout))
                try channel.pipeline.syncOperations.addHandler(makeFramer(), name: TLSUpgrade.framerName)
                try channel.pipeline.syncOperations.addHandler(POP3ChannelHandler(inputs: continuation, traffic: traffic))
                EventLoopTaskExecutor.startSession(on: channel.eventLoop) { await session.run(inputs) }
            }
        }
    }
}

/// What the session task reacts to.
enum POP3SessionInput: Sendable {
    /// The connection is up: time for the greeting.
    case connected
    case frame(LineFrame)
    /// Neither input nor output for `autologout`.
    case idleTimeout
    /// The TLS handshake after STLS is done: input from here on came through TLS.
    case tlsEstablished
}

/// Users with an open POP3 session, for `pop3_lock_session`.
final class POP3SessionLocks: Sendable {
    private let users = Mutex<Set<String>>([])

    func lock(_ user: String) -> Bool { users.withLock { $0.insert(user).inserted } }
    func unlock(_ user: String) { _ = users.withLock { $0.remove(user) } }
}

/// Hands framed lines to the session task, and turns the autologout timer into an input.
final class POP3ChannelHandler: SessionChannelHandler<LineFrame, POP3SessionInput> {
    private var idleEvents = 0

    init(inputs: AsyncStream<POP3SessionInput>.Continuation, traffic: TrafficCounter) {
        super.init(inputs: inputs, traffic: traffic, connected: .connected)
    }

    override func input(for frame: LineFrame, context: ChannelHandlerContext) -> POP3SessionInput? {
        idleEvents = 0
        return .frame(frame)
    }

    override func input(forEvent event: Any, context: ChannelHandlerContext) -> POP3SessionInput? {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all else { return nil }
        idleEvents += 1
        // The second one means the session could not even answer the first (it waits for a client
        // that stopped reading): close without it.
        guard idleEvents == 1 else {
            context.close(promise: nil)
            return nil
        }
        return .idleTimeout
    }
}
