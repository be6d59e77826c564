import Logging
import NIOCore
import ObjectMail

/// One LMTP connection (RFC 2033), run as one task so commands answer strictly in order (PIPELINING) and
/// recipient lookups, spooling and deliveries simply await. Input comes framed by `LMTPFramingHandler`, which
/// stops at a DATA line and after body bytes until the session answers (`tell`).
actor LMTPSession {
    /// Replies are flushed once no more input is queued, or when this much is waiting.
    static let flushThreshold = 16 * 1024

    let channel: any Channel
    let connection: ConnectionContext
    let backend: any LMTPBackend
    let configuration: LMTPConfiguration
    let traffic: TrafficCounter
    let activity: LMTPSessionActivity
    let inputs: AsyncStream<LMTPSessionInput>.Continuation
    /// A fresh framer, for STARTTLS (which drops the old one with any clear text it holds).
    let makeFramer: @Sendable () -> any ChannelHandler
    /// TLS state and the client's address (XCLIENT from a trusted peer replaces it).
    var transport: SessionTransport
    let logger: Logger
    var state = LMTPSessionState.awaitingLHLO
    /// The server is shutting down: the session closes as soon as no transaction is open.
    var stopping = false
    var output: ByteBuffer

    init(
        channel: any Channel, connection: ConnectionContext, backend: any LMTPBackend, configuration: LMTPConfiguration,
        traffic: TrafficCounter, activity: LMTPSessionActivity, inputs: AsyncStream<LMTPSessionInput>.Continuation,
        makeFramer: @escaping @Sendable () -> any ChannelHandler
    ) {
        self.channel = channel
        self.connection = connection
        self.backend = backend
        self.configuration = configuration
        self.traffic = traffic
        self.activity = activity
        self.inputs = inputs
        self.makeFramer = makeFramer
        transport = SessionTransport(connection)
        logger = connection.logger
        output = channel.allocator.buffer(capacity: 512)
    }

    func run(_ stream: AsyncStream<LMTPSessionInput>) async {
        for await input in stream {
            activity.set(busy: true)
            switch input {
            case .connected:
                logger.debug("connect from \(connection.remoteIP)")
                send(220, "\(configuration.hostname) ObjectMail ready.")
            case .frame(let frame):
                traffic.frameTaken(from: channel)
                // Clear text pipelined behind STARTTLS (RFC 3207): dropped, and the framer holding it is replaced.
                if transport.accepts() { await handle(frame) }
            case .tlsEstablished:
                transport.handshakeCompleted(logger: logger)
            case .idleTimeout:
                logger.info("disconnected for inactivity")
                send(421, "4.4.2 \(configuration.hostname) Disconnected for inactivity")
                state = .closing
            case .shutdown:
                stopping = true
            }
            closeIfStopping()
            if case .closing = state { break }
            if traffic.queuedFrames.load(ordering: .relaxed) <= 0 || output.readableBytes >= Self.flushThreshold {
                await flush()
            }
            activity.set(busy: false)
        }
        if output.readableBytes > 0 { try? await channel.writeAndFlush(output).get() }
        logger.debug("disconnected")
        try? await channel.close()
    }

    /// During shutdown: between transactions, say goodbye and close.
    private func closeIfStopping() {
        guard stopping else { return }
        switch state {
        case .awaitingLHLO, .ready:
            send(421, "4.3.2 \(configuration.hostname) Shutting down")
            state = .closing
        case .transaction, .discardingChunk, .closing:
            break
        }
    }

    // MARK: - Output

    func send(_ reply: LMTPReply) {
        output.writeString(reply.wire)
    }

    func send(_ code: Int, _ text: String) {
        send(LMTPReply(code, text))
    }

    /// Sends the replies so far. Replies are small: the session waits for the socket only when the client is not
    /// reading them (the channel is not writable).
    func flush() async {
        guard output.readableBytes > 0 else { return }
        let buffer = output
        output = channel.allocator.buffer(capacity: 512)
        if channel.isWritable {
            channel.writeAndFlush(buffer, promise: nil)
        } else {
            try? await channel.writeAndFlush(buffer).get()
        }
    }

    /// Lets the framer go on after a frame it stopped at.
    func tell(_ event: LMTPFramerEvent) {
        channel.pipeline.fireUserInboundEventTriggered(event)
    }

    // MARK: - Input

    private func handle(_ frame: LMTPFrame) async {
        switch frame {
        case .tooLong:
            send(500, "5.5.2 Line too long")
        case .command(let command):
            await handle(command)
        case .body(let bytes, let end):
            await receive(bytes, end: end)
            tell(.bodyTaken)
        }
    }

    private func handle(_ command: LMTPCommand) async {
        switch command {
        case .lhlo(let domain): lhlo(domain)
        case .starttls: await startTLS()
        case .xclient(let fields): xclient(fields)
        case .mail(let from, let parameters): mail(from: from, parameters: parameters)
        case .rcpt(let to, let parameters): await rcpt(to: to, parameters: parameters)
        case .data: tell(data() ? .dataAccepted : .dataRefused)
        case .bdat(let size, let last): bdat(size: size, last: last)
        case .rset: rset()
        case .noop: send(250, "2.0.0 OK")
        case .vrfy: send(252, "2.3.3 Try RCPT instead")
        case .quit:
            send(221, "2.0.0 \(configuration.hostname) Bye")
            state = .closing
        case .unknown: send(500, "5.5.1 Unknown command")
        case .syntaxError(let message): send(501, "5.5.4 \(message)")
        }
    }

    /// Who the client is, for the backend's headers and logs.
    func sessionInfo(helo: String) -> LMTPSessionInfo {
        LMTPSessionInfo(
            id: connection.sessionID, helo: transport.client.forwardedHelo ?? helo,
            remoteIP: transport.client.ip ?? "local")
    }
}
