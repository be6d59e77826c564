import NIOCore
import Primitives

/// COMPRESS=DEFLATE (RFC 4978): raw deflate (no zlib header, RFC 1951) in both directions, placed between
/// TLS and the command framer. Every write ends with a sync flush, so a response is never held back
/// waiting for more output.
final class DeflateHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let deflater: ZlibStream
    private let inflater: ZlibStream

    init() throws {
        // 16 KiB pieces: a connection keeps two streams for its whole life.
        deflater = try ZlibStream(compressing: .rawDeflate, chunkSize: 16 * 1024)
        inflater = try ZlibStream(decompressing: .rawDeflate, chunkSize: 16 * 1024)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let compressed = unwrapInboundIn(data)
        do {
            var plain = context.channel.allocator.buffer(capacity: compressed.readableBytes * 4 + 64)
            try compressed.withUnsafeReadableBytes { input in
                try inflater.process(input) { plain.writeBytes($0) }
            }
            if plain.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(plain)) }
        } catch {
            context.fireErrorCaught(error)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plain = unwrapOutboundIn(data)
        guard plain.readableBytes > 0 else { return context.write(data, promise: promise) }
        do {
            var compressed = context.channel.allocator.buffer(capacity: plain.readableBytes / 2 + 64)
            try plain.withUnsafeReadableBytes { input in
                try deflater.process(input, flush: .sync) { compressed.writeBytes($0) }
            }
            context.write(wrapOutboundOut(compressed), promise: promise)
        } catch {
            promise?.fail(error)
            context.fireErrorCaught(error)
        }
    }
}
