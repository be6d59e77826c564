import Auth
import IMAPProtocol
import NIOCore
import ObjectMail
import Synchronization

extension ProtocolService {
    /// The IMAP protocol: the command framer, then a handler that feeds an `IMAPSession` task.
    /// `registries` carries what must outlive a reload: the per-user-and-IP session counts.
    public static func imap(
        authenticator: Authenticator, storage: MailStorage,
        configuration: IMAPConfiguration = IMAPConfiguration(),
        registries: SessionRegistries = SessionRegistries()
    ) -> ProtocolService {
        let userIPConnections = UserIPConnections(limit: configuration.maxUserIPConnections, counts: registries.imapUserIP)
        return ProtocolService(name: "imap") { channel, connection in
            channel.eventLoop.makeCompletedFuture {
                let framerControl = IMAPFramerControl()
                let makeFramer: @Sendable () -> any ChannelHandler = {
                    ByteToMessageHandler(IMAPCommandFramer(limits: configuration.framingLimits, control: framerControl))
                }
                let traffic = TrafficCounter()
                let (inputs, continuation) = AsyncStream<IMAPSessionInput>.makeStream()
                let session = IMAPSession(
                    channel: channel, connection: connection, authenticator: authenticator,
                    storage: storage, traffic: traffic, inputs: continuation,
                    userIPConnections: userIPConnections, makeFramer: makeFramer,
                    framerControl: framerControl,
                    configuration: configuration)
                try channel.pipeline.syncOperations.addHandler(TrafficCountingHandler(traffic: traffic))
                try channel.pipeline.syncOperations.addHandler(makeFramer(), name: TLSUpgrade.framerName)
                try channel.pipeline.syncOperations.addHandler(IMAPChannelHandler(inputs: continuation, traffic: traffic))
                EventLoopTaskExecutor.startSession(on: channel.eventLoop) { await session.run(inputs) }
            }
        }
    }
}

/// What the session task reacts to: client input, or a change to the mailbox it IDLEs on.
enum IMAPSessionInput: Sendable {
    /// The connection is up: time for the greeting.
    case connected
    case frame(IMAPFrame)
    case mailboxChanged
    /// A change to the user's mail while NOTIFY (RFC 5465) is set: reported between commands and during IDLE.
    case notification(MailEvent)
    /// Time for IDLE's keep-alive line (`imap_idle_notify_interval`, Dovecot's default 2 minutes).
    case idleKeepalive
    /// The TLS handshake after STARTTLS is done: input from here on came through TLS.
    case tlsEstablished
    /// Time to check the pre-login and autologout timeouts.
    case inactivityCheck
    /// The server is stopping (SIGTERM): BYE after the running command.
    case shutdown
}

/// Hands framed input to the session task. Literal continuations are answered here at once, since the
/// client waits for them even while an earlier command still runs.
final class IMAPChannelHandler: SessionChannelHandler<IMAPFrame, IMAPSessionInput> {
    init(inputs: AsyncStream<IMAPSessionInput>.Continuation, traffic: TrafficCounter) {
        super.init(inputs: inputs, traffic: traffic, connected: .connected)
    }

    override func input(for frame: IMAPFrame, context: ChannelHandlerContext) -> IMAPSessionInput? {
        guard case .continuationRequest = frame else { return .frame(frame) }
        var buffer = context.channel.allocator.buffer(capacity: 8)
        IMAPResponseEncoder().writeContinuation(into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        return nil
    }

    override func input(forEvent event: Any, context: ChannelHandlerContext) -> IMAPSessionInput? {
        event is ServerShutdownEvent ? .shutdown : nil
    }
}

/// Bytes in and out of one connection, for the logout line.
final class TrafficCounter: Sendable {
    /// Frames handed to the session and not yet taken; above this the channel stops reading.
    static let maxQueuedFrames = 64

    let received = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
    let queuedFrames = Atomic<Int>(0)

    /// The session took one frame: reading resumes once the queue is down to half (`SessionChannelHandler` paused it).
    func frameTaken(from channel: any Channel) {
        if queuedFrames.subtract(1, ordering: .relaxed).newValue == Self.maxQueuedFrames / 2 {
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
    }
}

final class TrafficCountingHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let traffic: TrafficCounter

    init(traffic: TrafficCounter) {
        self.traffic = traffic
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        traffic.received.add(unwrapInboundIn(data).readableBytes, ordering: .relaxed)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        traffic.sent.add(unwrapOutboundIn(data).readableBytes, ordering: .relaxed)
        context.write(data, promise: promise)
    }
}

/// Logged-in sessions per user and remote IP, for `mail_max_userip_connections`: the counts of one protocol,
/// kept across reloads (`SessionRegistries`), under the limit of the configuration that made this view.
struct UserIPConnections: Sendable {
    let limit: Int
    let counts: UserIPCounts

    init(limit: Int, counts: UserIPCounts = UserIPCounts()) {
        self.limit = limit
        self.counts = counts
    }

    /// Counts one more session for the key; false (and nothing counted) when the limit is reached.
    /// `limit` overrides the configured one for this user (a userdb field, as Dovecot allows).
    func acquire(_ key: String, limit userLimit: Int? = nil) -> Bool {
        counts.acquire(key, limit: userLimit ?? limit)
    }

    func release(_ key: String) {
        counts.release(key)
    }
}

/// The sessions counted per user and remote IP.
final class UserIPCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func acquire(_ key: String, limit: Int) -> Bool {
        counts.withLock { counts in
            let current = counts[key, default: 0]
            guard limit <= 0 || current < limit else { return false }
            counts[key] = current + 1
            return true
        }
    }

    func release(_ key: String) {
        counts.withLock { counts in
            let remaining = counts[key, default: 1] - 1
            counts[key] = remaining > 0 ? remaining : nil
        }
    }
}
