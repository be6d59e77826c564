import NIOCore

/// Runs an `LMTPFramer` in the pipeline (named `TLSUpgrade.framerName`). The session's `LMTPFramerEvent`s arrive
/// as user events and let the framer go on. While the framer waits for one, input is held here, and once
/// `maxHeldInput` bytes are held the socket is not read until the session answered: a client sending a body
/// faster than it is spooled cannot make it pile up in memory.
final class LMTPFramingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = LMTPFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maxHeldInput = 256 * 1024

    private var framer: LMTPFramer
    private var buffer = ByteBuffer()
    /// A read the channel asked for while input was held: issued once the framer goes on.
    private var deferredRead = false

    init(configuration: LMTPConfiguration) {
        framer = LMTPFramer(maxCommandLine: configuration.maxCommandLine, blockSize: configuration.spool.threshold)
    }

    private var holdsReads: Bool { framer.isWaiting && buffer.readableBytes >= Self.maxHeldInput }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if buffer.readableBytes == 0 {
            buffer = bytes
        } else {
            buffer.writeBuffer(&bytes)
        }
        deliverFrames(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? LMTPFramerEvent else { return context.fireUserInboundEventTriggered(event) }
        framer.apply(event)
        deliverFrames(context: context)
        if deferredRead && !holdsReads {
            deferredRead = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if holdsReads {
            deferredRead = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Input cut off by the end of the connection is never acted on.
        buffer = ByteBuffer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Replaced after STARTTLS: what it held was clear text and goes with it; a read it held back is due now.
        if deferredRead {
            deferredRead = false
            context.channel.read()
        }
    }

    private func deliverFrames(context: ChannelHandlerContext) {
        while let frame = framer.nextFrame(&buffer) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        if buffer.readableBytes == 0 {
            buffer.clear()
        } else if buffer.readerIndex >= Self.maxHeldInput {
            buffer.discardReadBytes()
        }
    }
}
