import CZlib
import NIOCore

/// COMPRESS=DEFLATE (RFC 4978): raw deflate (no zlib header, RFC 1951) in both directions, placed between
/// TLS and the command framer. Every write ends with a sync flush, so a response is never held back
/// waiting for more output.
final class DeflateHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// zlib keeps a pointer back to its z_stream, so each stream needs a fixed address.
    private let deflater = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let inflater = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init() throws {
        deflater.initialize(to: z_stream())
        inflater.initialize(to: z_stream())
        // Negative window bits: raw deflate, as RFC 4978 asks.
        guard czlib_deflate_init(deflater, Z_DEFAULT_COMPRESSION, -15) == Z_OK, czlib_inflate_init(inflater, -15) == Z_OK else {
            throw Failure(description: "zlib initialisation failed")
        }
    }

    deinit {
        deflateEnd(deflater)
        inflateEnd(inflater)
        deflater.deinitialize(count: 1)
        inflater.deinitialize(count: 1)
        deflater.deallocate()
        inflater.deallocate()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            let plain = try run(inflater, unwrapInboundIn(data), compress: false, allocator: context.channel.allocator)
            if plain.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(plain)) }
        } catch {
            context.fireErrorCaught(error)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plain = unwrapOutboundIn(data)
        guard plain.readableBytes > 0 else { return context.write(data, promise: promise) }
        do {
            context.write(wrapOutboundOut(try run(deflater, plain, compress: true, allocator: context.channel.allocator)), promise: promise)
        } catch {
            promise?.fail(error)
            context.fireErrorCaught(error)
        }
    }

    private func run(_ stream: UnsafeMutablePointer<z_stream>, _ input: ByteBuffer, compress: Bool,
                     allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var output = allocator.buffer(capacity: compress ? input.readableBytes / 2 + 64 : input.readableBytes * 4 + 64)
        var status = Z_OK
        input.withUnsafeReadableBytes { raw in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = uInt(raw.count)
            repeat {
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 * 1024) { out in
                    stream.pointee.next_out = out.bindMemory(to: Bytef.self).baseAddress
                    stream.pointee.avail_out = uInt(out.count)
                    status = compress ? deflate(stream, Z_SYNC_FLUSH) : inflate(stream, Z_SYNC_FLUSH)
                    return out.count - Int(stream.pointee.avail_out)
                }
                // More to do while zlib filled the whole output space or input is left.
            } while status == Z_OK && (stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0)
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        // Z_BUF_ERROR only says no progress was possible (everything consumed); Z_STREAM_END: the client ended its stream.
        guard status == Z_OK || status == Z_BUF_ERROR || status == Z_STREAM_END else {
            throw Failure(description: "\(compress ? "deflate" : "inflate") failed (\(status))")
        }
        return output
    }
}
