import Auth
import NIOCore
import ObjectMail
import Synchronization

extension ProtocolService {
    /// The POP3 protocol: a line framer, then a handler that feeds a `POP3Session` task.
    public static func pop3(authenticator: Authenticator, storage: MailStorage, configuration: POP3Configuration) -> ProtocolService {
        let login = SessionLogin(authenticator: authenticator, storage: storage,
                                 userIPConnections: UserIPConnections(limit: configuration.maxUserIPConnections), service: "pop3")
        let locks = POP3SessionLocks()
        return ProtocolService(name: "pop3") { channel, connection in
            channel.eventLoop.makeCompletedFuture {
                let traffic = TrafficCounter()
                let (inputs, continuation) = AsyncStream<POP3SessionInput>.makeStream()
                let makeFramer: @Sendable () -> any ChannelHandler = { ByteToMessageHandler(POP3LineFramer()) }
                let session = POP3Session(channel: channel, connection: connection, login: login, locks: locks,
                                          configuration: configuration, traffic: traffic, inputs: continuation,
                                          makeFramer: makeFramer)
                try channel.pipeline.syncOperations.addHandler(TrafficCountingHandler(traffic: traffic))
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: configuration.autologout))
                try channel.pipeline.syncOperations.addHandler(makeFramer(), name: TLSUpgrade.framerName)
                try channel.pipeline.syncOperations.addHandler(POP3ChannelHandler(inputs: continuation, traffic: traffic))
                Task { await session.run(inputs) }
            }
        }
    }
}

/// What the session task reacts to.
enum POP3SessionInput: Sendable {
    /// The connection is up: time for the greeting.
    case connected
    case frame(POP3Frame)
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

/// Hands framed lines to the session task, and stops reading while the session is behind.
final class POP3ChannelHandler: ChannelInboundHandler {
    typealias InboundIn = POP3Frame

    let inputs: AsyncStream<POP3SessionInput>.Continuation
    let traffic: TrafficCounter
    private var announced = false
    private var idleEvents = 0

    init(inputs: AsyncStream<POP3SessionInput>.Continuation, traffic: TrafficCounter) {
        self.inputs = inputs
        self.traffic = traffic
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { announceConnection() }
    }

    func channelActive(context: ChannelHandlerContext) {
        announceConnection()
        context.fireChannelActive()
    }

    private func announceConnection() {
        guard !announced else { return }
        announced = true
        inputs.yield(.connected)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        idleEvents = 0
        inputs.yield(.frame(unwrapInboundIn(data)))
        // A client pipelining faster than commands run: stop reading until the session catches up.
        if traffic.queuedFrames.add(1, ordering: .relaxed).newValue > TrafficCounter.maxQueuedFrames {
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
            idleEvents += 1
            // The second one means the session could not even answer the first (it waits for a
            // client that stopped reading): close without it.
            if idleEvents > 1 {
                context.close(promise: nil)
            } else {
                inputs.yield(.idleTimeout)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inputs.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inputs.finish()
        context.close(promise: nil)
    }
}
