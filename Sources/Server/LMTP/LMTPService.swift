import NIOCore
import Synchronization

extension ProtocolService {
    /// The LMTP protocol: `LMTPFramingHandler`, then a handler that feeds an `LMTPSession` task.
    public static func lmtp(backend: any LMTPBackend, configuration: LMTPConfiguration) -> ProtocolService {
        ProtocolService(name: "lmtp") { channel, connection in
            channel.eventLoop.makeCompletedFuture {
                let traffic = TrafficCounter()
                let activity = LMTPSessionActivity()
                let (inputs, continuation) = AsyncStream<LMTPSessionInput>.makeStream()
                let makeFramer: @Sendable () -> any ChannelHandler = { LMTPFramingHandler(configuration: configuration) }
                let session = LMTPSession(
                    channel: channel, connection: connection, backend: backend, configuration: configuration,
                    traffic: traffic, activity: activity, inputs: continuation, makeFramer: makeFramer)
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: configuration.idleTimeout))
                try channel.pipeline.syncOperations.addHandler(makeFramer(), name: TLSUpgrade.framerName)
                try channel.pipeline.syncOperations.addHandler(
                    LMTPChannelHandler(inputs: continuation, traffic: traffic, activity: activity))
                EventLoopTaskExecutor.startSession(on: channel.eventLoop) { await session.run(inputs) }
            }
        }
    }
}

/// What the session task reacts to.
enum LMTPSessionInput: Sendable {
    /// The connection is up: time for the greeting.
    case connected
    case frame(LMTPFrame)
    /// Nothing read for `idleTimeout` while the session had nothing to do.
    case idleTimeout
    /// The TLS handshake after STARTTLS is done: input from here on came through TLS.
    case tlsEstablished
    /// The server is stopping: 421 between transactions, after the running one.
    case shutdown
}

/// Whether the session is handling an input (a lookup or a delivery can take long): the read timeout means a
/// silent client only when it is not.
final class LMTPSessionActivity: Sendable {
    private let busy = Atomic<Bool>(false)

    var isBusy: Bool { busy.load(ordering: .relaxed) }

    func set(busy value: Bool) {
        busy.store(value, ordering: .relaxed)
    }
}

/// Hands framed input to the session task, and turns shutdown and the read timeout into inputs.
final class LMTPChannelHandler: SessionChannelHandler<LMTPFrame, LMTPSessionInput> {
    private let activity: LMTPSessionActivity

    init(inputs: AsyncStream<LMTPSessionInput>.Continuation, traffic: TrafficCounter, activity: LMTPSessionActivity) {
        self.activity = activity
        super.init(inputs: inputs, traffic: traffic, connected: .connected)
    }

    override func input(for frame: LMTPFrame, context: ChannelHandlerContext) -> LMTPSessionInput? {
        .frame(frame)
    }

    override func input(forEvent event: Any, context: ChannelHandlerContext) -> LMTPSessionInput? {
        if event is ServerShutdownEvent { return .shutdown }
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else { return nil }
        // A client that reads none of the replies either: the session may be waiting to write; no goodbye.
        guard context.channel.isWritable else {
            context.close(promise: nil)
            return nil
        }
        return activity.isBusy ? nil : .idleTimeout
    }
}
