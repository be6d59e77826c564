import NIOCore
import NIOSSL
import NIOTLS

/// Putting TLS under a protocol: at accept time (implicit TLS, `inet_listener { ssl = yes }`) or after
/// STARTTLS / STLS. Every protocol names its framer `TLSUpgrade.framerName` so the upgrade can find it.
public enum TLSUpgrade {
    /// The name each protocol gives its byte-to-frame decoder in the pipeline.
    public static let framerName = "framer"
    static let handlerName = "tls"

    /// Implicit TLS, or STARTTLS in a handler that frames its own input (LMTP): the TLS handler goes in
    /// front of the pipeline; the caller drops whatever clear text it still holds.
    public static func addTLSHandler(to channel: any Channel, context: NIOSSLContext) throws {
        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), name: handlerName, position: .first)
    }

    /// STARTTLS / STLS. On the channel's event loop, in this order and with no read in between:
    /// 1. writes and flushes `reply` (the protocol's go-ahead, the last clear-text bytes);
    /// 2. puts a `NIOSSLServerHandler` with `context` at the front of the pipeline, so every byte read
    ///    from now on is TLS;
    /// 3. replaces the handler named `framerName` by `makeFramer()`, dropping what the old framer held:
    ///    bytes the client pipelined in clear text behind the command (CVE-2011-0411) must never be read
    ///    as if they had come through TLS. The old decoder's `decodeLast` runs once; frames it still
    ///    emits are clear text, so the session must drop every frame it receives before `onEstablished`.
    /// `onEstablished` runs on the event loop when the handshake completes, before any decrypted byte
    /// reaches the new framer. A failed handshake closes the connection (NIOSSL's error → errorCaught).
    public static func startTLS(
        on channel: any Channel, context: NIOSSLContext, reply: ByteBuffer,
        makeFramer: @escaping @Sendable () -> any ChannelHandler,
        onEstablished: @escaping @Sendable () -> Void
    ) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            channel.writeAndFlush(reply, promise: nil)
            let oldFramer = try pipeline.context(name: framerName)
            let tls = NIOSSLServerHandler(context: context)
            try pipeline.addHandler(tls, name: handlerName, position: .first)
            try pipeline.addHandler(HandshakeObserver(onEstablished), position: .after(tls))
            try pipeline.addHandler(makeFramer(), name: framerName, position: .before(oldFramer.handler))
            pipeline.removeHandler(context: oldFramer, promise: nil)
        }
    }
}

/// Tells the session the handshake is done: from here on, input came through TLS.
private final class HandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let onEstablished: @Sendable () -> Void

    init(_ onEstablished: @escaping @Sendable () -> Void) {
        self.onEstablished = onEstablished
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            onEstablished()
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
