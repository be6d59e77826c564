import NIOCore

/// One line of client input without its line end, or a line that exceeded the limit and was thrown away.
enum LineFrame: Sendable, Equatable {
    case line(String)
    case tooLong
}

/// Cuts client input into lines (LF or CRLF ends): POP3 and auth-client commands as a decoder, LMTP command
/// lines inside `LMTPFramer`. A line longer than `maxLineLength` (its CRLF not counted) is never buffered: it
/// is dropped up to its end and reported once as `.tooLong`, so a client sending garbage cannot grow the
/// server's memory.
struct LineFramer: ByteToMessageDecoder {
    typealias InboundOut = LineFrame

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

    /// The next frame, or nil when more input is needed. Usable without a channel (unit tests, LMTP's framer).
    mutating func nextFrame(_ buffer: inout ByteBuffer) -> LineFrame? {
        let view = buffer.readableBytesView
        let start = view.startIndex + searchFrom
        guard let lineFeed = view[start...].firstIndex(of: UInt8(ascii: "\n")) else {
            // One byte more than the limit may be held: the CR of a line exactly at the limit.
            if skipping || view.count > maxLineLength + 1 {
                // Nothing of an over-long line is kept; report it once, when its end arrives.
                skipping = true
                buffer.moveReaderIndex(forwardBy: view.count)
                searchFrom = 0
            } else {
                searchFrom = view.count
            }
            return nil
        }
        searchFrom = 0
        var end = lineFeed
        if end > view.startIndex && view[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        defer { buffer.moveReaderIndex(forwardBy: lineFeed - view.startIndex + 1) }
        if skipping || end - view.startIndex > maxLineLength {
            skipping = false
            return .tooLong
        }
        return .line(String(decoding: view[view.startIndex..<end], as: UTF8.self))
    }
}
