import NIOCore

/// One ManageSieve command line (RFC 5804 §4): words, and strings sent quoted or as literals.
enum ManageSieveToken: Sendable, Equatable {
    /// A bare word: a command name, a number, or a client's unquoted (invalid) argument.
    case atom(String)
    /// A quoted string or a literal, its content decoded.
    case string(String)
}

/// One unit of ManageSieve client input.
enum ManageSieveFrame: Sendable, Equatable {
    case command([ManageSieveToken])
    /// The line (literals aside) exceeded `managesieve_max_line_length`; it was dropped up to its end.
    case tooLong
    /// A literal larger than the biggest script accepted; its octets were read and dropped.
    case literalTooLarge(size: Int, tokens: [ManageSieveToken])
    /// A line that is not words and strings (an unterminated quote, a bad escape, a broken literal header).
    case malformed(String)
}

/// Cuts client input into commands. A literal (`{n+}` or `{n}`, CRLF, n octets) is part of its command line:
/// a line is complete when the CRLF after its last literal arrives. Neither a line (without its literals) longer
/// than `maxLineLength` nor a literal larger than `maxLiteralSize` is ever buffered: their bytes are dropped as they
/// arrive and the command is reported once.
struct ManageSieveFramer: ByteToMessageDecoder {
    typealias InboundOut = ManageSieveFrame

    let maxLineLength: Int
    let maxLiteralSize: Int

    /// The tokens of the line so far, before a pending literal.
    private var tokens: [ManageSieveToken] = []
    /// Octets of the line read so far (literals excluded).
    private var lineLength = 0
    /// The literal being read (outside `state`, so appending does not copy it).
    private var literalBytes: [UInt8] = []
    private var state = State.line

    private enum State: Equatable {
        case line
        /// Reading a literal's octets into `literalBytes`.
        case literal(remaining: Int)
        /// Dropping an oversized literal; the command is reported once its line ends.
        case skippingLiteral(remaining: Int, size: Int)
        /// After an oversized literal: the rest of the line is dropped.
        case skippingAfterLiteral(size: Int)
        /// Dropping an over-long line up to its end.
        case skippingLine
    }

    init(maxLineLength: Int, maxLiteralSize: Int) {
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
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
    mutating func nextFrame(_ buffer: inout ByteBuffer) -> ManageSieveFrame? {
        while buffer.readableBytes > 0 {
            switch state {
            case .literal(let remaining):
                let take = min(remaining, buffer.readableBytes)
                buffer.readWithUnsafeReadableBytes { bytes in
                    literalBytes.append(contentsOf: bytes.prefix(take))
                    return take
                }
                if take == remaining {
                    tokens.append(.string(String(decoding: literalBytes, as: UTF8.self)))
                    literalBytes = []
                    state = .line
                } else {
                    state = .literal(remaining: remaining - take)
                }
            case .skippingLiteral(let remaining, let size):
                let take = min(remaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: take)
                state = take == remaining ? .skippingAfterLiteral(size: size) : .skippingLiteral(remaining: remaining - take, size: size)
            case .skippingAfterLiteral(let size):
                guard skipToLineEnd(&buffer) else { return nil }
                let frame = ManageSieveFrame.literalTooLarge(size: size, tokens: tokens)
                reset()
                return frame
            case .skippingLine:
                guard skipToLineEnd(&buffer) else { return nil }
                reset()
                return .tooLong
            case .line:
                let before = buffer.readableBytes
                if let frame = lineSegment(&buffer) { return frame }
                if buffer.readableBytes == before { return nil }
            }
        }
        return nil
    }

    private mutating func reset() {
        tokens = []
        lineLength = 0
        state = .line
    }

    /// Drops input up to and including the next LF; false when it has not arrived yet.
    private func skipToLineEnd(_ buffer: inout ByteBuffer) -> Bool {
        let view = buffer.readableBytesView
        guard let lineFeed = view.firstIndex(of: UInt8(ascii: "\n")) else {
            buffer.moveReaderIndex(forwardBy: view.count)
            return false
        }
        buffer.moveReaderIndex(forwardBy: lineFeed - view.startIndex + 1)
        return true
    }

    /// Reads the line up to its end or a literal header. Returns a frame at the line's end; nil with `state`
    /// changed when a literal follows, or unchanged when more input is needed.
    private mutating func lineSegment(_ buffer: inout ByteBuffer) -> ManageSieveFrame? {
        let view = buffer.readableBytesView
        guard let lineFeed = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if lineLength + view.count > maxLineLength {
                buffer.moveReaderIndex(forwardBy: view.count)
                state = .skippingLine
            }
            return nil
        }
        let length = lineFeed - view.startIndex
        guard lineLength + length <= maxLineLength else {
            buffer.moveReaderIndex(forwardBy: length + 1)
            reset()
            return .tooLong
        }
        var bytes = Array(view[view.startIndex..<lineFeed])
        buffer.moveReaderIndex(forwardBy: length + 1)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        lineLength += length + 1
        switch Self.tokenize(bytes) {
        case .failure(let message):
            reset()
            return .malformed(message)
        case .success(let parsed, let literal):
            tokens += parsed
            guard let literal else {
                let frame = ManageSieveFrame.command(tokens)
                reset()
                return frame
            }
            if literal > maxLiteralSize {
                state = .skippingLiteral(remaining: literal, size: literal)
            } else {
                if literal == 0 {
                    tokens.append(.string(""))
                } else {
                    // Grown as octets arrive: a client announcing a large literal and sending nothing costs nothing.
                    literalBytes.reserveCapacity(min(literal, 65536))
                    state = .literal(remaining: literal)
                }
            }
            return nil
        }
    }

    enum Tokenized: Equatable {
        /// The tokens, and the size of a literal announced at the end of the line.
        case success([ManageSieveToken], literal: Int?)
        case failure(String)
    }

    /// Splits one line (no CRLF) into tokens; a trailing `{n+}` or `{n}` announces a literal.
    static func tokenize(_ bytes: [UInt8]) -> Tokenized {
        var tokens: [ManageSieveToken] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                var text: [UInt8] = []
                index += 1
                var closed = false
                while index < bytes.count {
                    let next = bytes[index]
                    index += 1
                    if next == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    if next == UInt8(ascii: "\\") {
                        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") else {
                            return .failure("Invalid escape in quoted string.")
                        }
                        text.append(bytes[index])
                        index += 1
                        continue
                    }
                    text.append(next)
                }
                guard closed else { return .failure("Missing '\"'.") }
                tokens.append(.string(String(decoding: text, as: UTF8.self)))
                continue
            }
            if byte == UInt8(ascii: "{") {
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")), close == bytes.count - 1 else {
                    return .failure("Invalid literal.")
                }
                var digits = bytes[(index + 1)..<close]
                if digits.last == UInt8(ascii: "+") { digits = digits.dropLast() }
                guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                    let size = Int(String(decoding: digits, as: UTF8.self))
                else { return .failure("Invalid literal size.") }
                return .success(tokens, literal: size)
            }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: " "), bytes[index] != UInt8(ascii: "\"") { index += 1 }
            tokens.append(.atom(String(decoding: bytes[start..<index], as: UTF8.self)))
        }
        return .success(tokens, literal: nil)
    }
}
