import Auth
import NIOCore

extension ProtocolService {
    /// `service auth { unix_listener … }`: Dovecot's authentication client protocol, for Postfix's
    /// `smtpd_sasl_type = dovecot` and other MTAs that check SMTP AUTH against the mail server's users.
    public static func authClient(authenticator: Authenticator) -> ProtocolService {
        ProtocolService(name: ListenerSpec.authClientService) { channel, connection in
            channel.eventLoop.makeCompletedFuture {
                let traffic = TrafficCounter()
                let (inputs, continuation) = AsyncStream<AuthClientInput>.makeStream()
                let session = AuthClientSession(channel: channel, connection: connection, authenticator: authenticator, traffic: traffic)
                // Auth lines are short: the line framer's limit (8 KiB) fits a PLAIN response with a long password.
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFramer()))
                try channel.pipeline.syncOperations.addHandler(AuthClientChannelHandler(inputs: continuation, traffic: traffic))
                EventLoopTaskExecutor.startSession(on: channel.eventLoop) { await session.run(inputs) }
            }
        }
    }
}

final class AuthClientChannelHandler: SessionChannelHandler<LineFrame, AuthClientInput> {
    init(inputs: AsyncStream<AuthClientInput>.Continuation, traffic: TrafficCounter) {
        super.init(inputs: inputs, traffic: traffic, connected: .connected)
    }

    override func input(for frame: LineFrame, context: ChannelHandlerContext) -> AuthClientInput? {
        .frame(frame)
    }
}
