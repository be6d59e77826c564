import NIOCore

/// One unit of POP3 client input: a command (or SASL response) line without its CRLF, or a line
/// that exceeded the limit and was thrown away.
enum POP3Frame: Sendable, Equatable {
    case line(String)
    case tooLong
}

/// Cuts client input into lines (LF or CRLF ends). A line longer than `maxLineLength` is never
/// buffered: it is dropped up to its end and reported once as `.tooLong`, so a client sending
/// garbage cannot grow the server's memory.
struct POP3LineFramer: ByteToMessageDecoder {
    typealias InboundOut = POP3Frame

    /// RFC 2449 allows 255-octet commands; SASL responses (AUTH PLAIN with a long password) need
    /// more. Dovecot accepts lines of a few kilobytes too.
    static let defaultMaxLineLength = 8192

    let maxLineLength: Int
    private var skipping = false
    private var searchFrom = 0

    init(maxLineLength: Int = Self.defaultMaxLineLength) {
        self.maxLineLength = maxLineLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = nextFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A command cut off by EOF is never executed.
        while let frame = nextFrame(&buffer) { context.fireChannelRead(wrapInboundOut(frame)) }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// The next frame, or nil when more input is needed. Usable without a channel (unit tests).
    mutating func nextFrame(_ buffer: inout ByteBuffer) -> POP3Frame? {
        let view = buffer.readableBytesView
        let start = view.startIndex + searchFrom
        guard let lineFeed = view[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            if skipping || view.count > maxLineLength {
                // Nothing of an over-long line is kept; report it once, when its end arrives.
                skipping = true
                buffer.moveReaderIndex(forwardBy: view.count)
                searchFrom = 0
            } else {
                searchFrom = view.count
            }
            return nil
        }
        let length = lineFeed - view.startIndex
        searchFrom = 0
        if skipping || length > maxLineLength {
            skipping = false
            buffer.moveReaderIndex(forwardBy: length + 1)
            return .tooLong
        }
        var bytes = view[view.startIndex..<lineFeed]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        let line = String(decoding: bytes, as: UTF8.self)
        buffer.moveReaderIndex(forwardBy: length + 1)
        return .line(line)
    }
}
