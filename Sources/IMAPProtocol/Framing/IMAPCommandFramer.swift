import NIOCore

/// Cuts the byte stream into IMAP commands: a line, and for every literal announced at a line's end
/// (`{n}`, `{n+}`, `~{n}`) its n bytes and the line after them. Enforces `IMAPFramingLimits` by rejecting
/// and skipping input instead of buffering it; the parser never sees a partial command.
public struct IMAPCommandFramer: ByteToMessageDecoder {
    public typealias InboundOut = IMAPFrame

    private enum State {
        /// Scanning for the end of the line starting at `lineStart` (relative to the reader index).
        case line(lineStart: Int)
        /// Throwing input away up to the end of the current line (after a rejection).
        case skippingLine
        /// Throwing away a non-synchronizing literal the client sends although it was rejected.
        case skippingLiteral(remaining: UInt64)
        /// Handing up a large APPEND literal in `.literalData` pieces as it arrives, instead of buffering it.
        case spoolingLiteral(remaining: UInt64)
    }

    public let limits: IMAPFramingLimits
    private let control: IMAPFramerControl
    private var state = State.line(lineStart: 0)
    /// Where the search for LF resumes, so a line arriving in many reads is scanned once.
    private var searchFrom = 0
    private var literalCount = 0
    /// The command so far was handed up in pieces (`.spooledLiteral`): what follows continues it.
    private var continuing = false
    /// Literal bytes of this command already handed up as `.literalData`, for `maxCommandSize`.
    private var spooledBytes: UInt64 = 0
    /// Whether the command being framed is APPEND, decided at its first literal (nil: not yet known).
    private var commandIsAppend: Bool?

    public init(limits: IMAPFramingLimits = IMAPFramingLimits(), control: IMAPFramerControl = IMAPFramerControl()) {
        self.limits = limits
        self.control = control
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = nextFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A command cut off by EOF is never executed.
        while let frame = nextFrame(&buffer) { context.fireChannelRead(wrapInboundOut(frame)) }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// The next frame from `buffer`, or nil when more input is needed. Public so the framer can also be
    /// driven without a channel (benchmarks, tools).
    public mutating func nextFrame(_ buffer: inout ByteBuffer) -> IMAPFrame? {
        while true {
            switch state {
            case .spoolingLiteral(let remaining):
                if control.takeSpoolCancellation() {
                    // The session refused the literal before sending "+": the client sends the next command instead.
                    resetCommand()
                    continue
                }
                guard buffer.readableBytes > 0 else { return nil }
                let count = Int(min(remaining, UInt64(buffer.readableBytes)))
                let piece = buffer.readSlice(length: count)!
                if UInt64(count) == remaining {
                    state = .line(lineStart: 0)
                    searchFrom = 0
                } else {
                    state = .spoolingLiteral(remaining: remaining - UInt64(count))
                }
                return .literalData(piece)
            case .skippingLiteral(let remaining):
                let drop = Int(min(remaining, UInt64(buffer.readableBytes)))
                buffer.moveReaderIndex(forwardBy: drop)
                guard UInt64(drop) == remaining else {
                    state = .skippingLiteral(remaining: remaining - UInt64(drop))
                    return nil
                }
                state = .skippingLine
            case .skippingLine:
                guard let lineFeed = findLineFeed(in: buffer, from: 0) else {
                    // Keep a short tail: the literal marker at the line's end decides what follows.
                    let keep = min(buffer.readableBytes, 24)
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes - keep)
                    return nil
                }
                let marker = literalMarker(in: buffer, lineFeed: lineFeed, lineStart: 0)
                buffer.moveReaderIndex(forwardBy: lineFeed + 1)
                resetCommand()
                if let marker, marker.nonSynchronizing {
                    guard marker.length <= limits.maxSkippedLiteralSize else {
                        buffer.moveReaderIndex(to: buffer.writerIndex)
                        return .rejected(
                            IMAPFramingError(
                                kind: .literalTooLarge, tag: nil, status: .bad,
                                message: "Literal too large to skip", closeConnection: true))
                    }
                    // The client sends this literal without waiting; drop it and the rest of its command.
                    state = .skippingLiteral(remaining: marker.length)
                }
            case .line(let lineStart):
                switch scanLine(&buffer, lineStart: lineStart) {
                case .frame(let frame): return frame
                case .needMoreData: return nil
                case .again: continue
                }
            }
        }
    }

    private enum ScanResult {
        case frame(IMAPFrame)
        case again
        case needMoreData
    }

    private mutating func scanLine(_ buffer: inout ByteBuffer, lineStart: Int) -> ScanResult {
        guard let lineFeed = findLineFeed(in: buffer, from: max(searchFrom, lineStart)) else {
            searchFrom = max(searchFrom, buffer.readableBytes)
            if buffer.readableBytes - lineStart > limits.maxLineLength {
                return .frame(rejectLongLine(&buffer, lineStart: lineStart))
            }
            return .needMoreData
        }
        if lineFeed - lineStart > limits.maxLineLength {
            return .frame(rejectLongLine(&buffer, lineStart: lineStart))
        }
        if control.mode == .line && lineStart == 0 {
            var line = buffer.readSlice(length: lineFeed + 1)!
            line.moveWriterIndex(to: line.writerIndex - 1)
            if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == 0x0D {
                line.moveWriterIndex(to: line.writerIndex - 1)
            }
            resetCommand()
            return .frame(.line(line))
        }
        guard let marker = literalMarker(in: buffer, lineFeed: lineFeed, lineStart: lineStart) else {
            return completeCommand(&buffer, lineFeed: lineFeed).map { .frame($0) } ?? .again
        }
        literalCount += 1
        if !control.authenticated && UInt64(lineFeed + 1) + marker.length > limits.maxCommandSizeBeforeLogin {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            resetCommand()
            return .frame(
                .rejected(
                    IMAPFramingError(
                        kind: .literalTooLarge, tag: nil, status: .bye,
                        message: "Literal size too large", closeConnection: true)))
        }
        if literalCount > limits.maxLiteralsPerCommand {
            return .frame(
                rejectLiteral(
                    .tooManyLiterals, &buffer, marker, lineFeed: lineFeed, status: .bad, code: .limit,
                    message: "Too many literals in one command"))
        }
        if marker.length > limits.maxLiteralSize {
            return .frame(
                rejectLiteral(
                    .literalTooLarge, &buffer, marker, lineFeed: lineFeed, status: .no, code: .tooBig,
                    message: "Literal larger than \(limits.maxLiteralSize) bytes"))
        }
        if marker.nonSynchronizing, let cap = limits.maxNonSynchronizingLiteralSize, marker.length > cap {
            return .frame(
                rejectLiteral(
                    .nonSynchronizingLiteralTooLarge, &buffer, marker, lineFeed: lineFeed, status: .bad,
                    code: nil, message: "Non-synchronizing literal larger than \(cap) bytes (LITERAL-)"))
        }
        if UInt64(lineFeed + 1) + marker.length + spooledBytes > limits.maxCommandSize {
            return .frame(
                rejectLiteral(
                    .commandTooLarge, &buffer, marker, lineFeed: lineFeed, status: .no, code: .tooBig,
                    message: "Command larger than \(limits.maxCommandSize) bytes"))
        }
        let buffered = UInt64(lineFeed + 1) + marker.length
        if limits.spoolThreshold != nil, control.authenticated, buffered > UInt64(limits.maxLineLength), !isAppend(buffer) {
            // Only APPEND's literals can be large: any other command is held in memory whole, so its literals
            // count toward `imap_max_line_length`, as in Dovecot's parser ("Literal size too large").
            return .frame(
                rejectLiteral(
                    .commandTooLarge, &buffer, marker, lineFeed: lineFeed, status: .bad, code: nil,
                    message: "Literal size too large"))
        }
        // An APPEND literal goes to a file when it is large, or when keeping it would make the command held in
        // memory larger than the threshold (MULTIAPPEND of many small messages): a connection holds at most about
        // threshold + one line.
        if let threshold = limits.spoolThreshold, control.authenticated, marker.length >= threshold || buffered > threshold,
            isAppend(buffer)
        {
            // Only the command's text is kept; the literal goes up in pieces for the session to write to a file.
            let prefix = buffer.readSlice(length: lineFeed + 1)!
            _ = control.takeSpoolCancellation() // a late cancellation of an earlier literal is not for this one
            continuing = true
            spooledBytes += marker.length
            searchFrom = 0
            state = .spoolingLiteral(remaining: marker.length)
            return .frame(.spooledLiteral(prefix: prefix, length: marker.length, synchronizing: !marker.nonSynchronizing))
        }
        let next = lineFeed + 1 + Int(marker.length)
        state = .line(lineStart: next)
        searchFrom = next
        return marker.nonSynchronizing ? .again : .frame(.continuationRequest)
    }

    private mutating func completeCommand(_ buffer: inout ByteBuffer, lineFeed: Int) -> IMAPFrame? {
        // After a spooled literal the command's last line may be just CRLF: that ends it, it is not a blank line.
        let isBlank =
            !continuing
            && (lineFeed == 0 || (lineFeed == 1 && buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0x0D))
        let command = buffer.readSlice(length: lineFeed + 1)!
        resetCommand()
        // Clients sometimes send an empty line between commands; Dovecot ignores it too.
        if isBlank { return nil }
        // Bytes already queued behind STARTTLS were sent in plaintext yet would be read as if protected;
        // behind COMPRESS they would be compressed data read as commands. Clients must wait for the OK.
        if buffer.readableBytes > 0 && literalCount == 0, let name = layerSwitchingCommand(command) {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .rejected(
                IMAPFramingError(
                    kind: .dataAfterLayerSwitch, tag: IMAPCommandParser.tag(of: command),
                    status: .bad, message: "Data after \(name)", closeConnection: true))
        }
        return .command(command)
    }

    private mutating func resetCommand() {
        state = .line(lineStart: 0)
        searchFrom = 0
        literalCount = 0
        continuing = false
        spooledBytes = 0
        commandIsAppend = nil
    }

    /// Whether the command is APPEND (the only one whose literals are spooled): read from its first line while
    /// that is still at the start of the buffer, remembered for the rest of the command.
    private mutating func isAppend(_ buffer: ByteBuffer) -> Bool {
        if let known = commandIsAppend { return known }
        let known = buffer.withUnsafeReadableBytes { bytes -> Bool in
            guard let space = bytes.firstIndex(of: 0x20) else { return false }
            let name = Array("APPEND ".utf8)
            guard bytes.count > space + name.count else { return false }
            for (offset, expected) in name.enumerated() where bytes[space + 1 + offset] & 0xDF != expected & 0xDF {
                return false
            }
            return true
        }
        commandIsAppend = known
        return known
    }

    /// Skips from the start of the over-long line (earlier literals may hold line feeds) to its end.
    private mutating func rejectLongLine(_ buffer: inout ByteBuffer, lineStart: Int) -> IMAPFrame {
        let tag = IMAPCommandParser.tag(of: buffer)
        buffer.moveReaderIndex(forwardBy: lineStart)
        resetCommand()
        state = .skippingLine
        return .rejected(IMAPFramingError(kind: .lineTooLong, tag: tag, status: .bad, message: "Command line too long"))
    }

    /// Drops the command so far. A synchronizing literal is never sent (no `+` went out), so the command
    /// ends here; a non-synchronizing one is on its way and gets skipped, with the rest of its command.
    private mutating func rejectLiteral(
        _ kind: IMAPFramingError.Kind, _ buffer: inout ByteBuffer, _ marker: LiteralMarker,
        lineFeed: Int, status: ResponseStatus, code: ResponseCode?, message: String
    ) -> IMAPFrame {
        let tag = IMAPCommandParser.tag(of: buffer)
        buffer.moveReaderIndex(forwardBy: lineFeed + 1)
        resetCommand()
        var close = false
        if marker.nonSynchronizing {
            if marker.length > limits.maxSkippedLiteralSize {
                close = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
            } else {
                state = .skippingLiteral(remaining: marker.length)
            }
        }
        return .rejected(
            IMAPFramingError(
                kind: kind, tag: tag, status: status, code: code, message: message,
                closeConnection: close))
    }

    private func findLineFeed(in buffer: ByteBuffer, from offset: Int) -> Int? {
        guard offset < buffer.readableBytes else { return nil }
        return buffer.withUnsafeReadableBytes { bytes in
            UnsafeRawBufferPointer(rebasing: bytes[offset...]).firstIndex(of: 0x0A).map { $0 + offset }
        }
    }

    struct LiteralMarker {
        var length: UInt64
        var nonSynchronizing: Bool
    }

    /// `{123}`, `{123+}` or `~{123}` right before the line's CRLF.
    private func literalMarker(in buffer: ByteBuffer, lineFeed: Int, lineStart: Int) -> LiteralMarker? {
        buffer.withUnsafeReadableBytes { bytes -> LiteralMarker? in
            var position = lineFeed - 1
            if position >= lineStart && bytes[position] == 0x0D { position -= 1 }
            guard position >= lineStart, bytes[position] == UInt8(ascii: "}") else { return nil }
            position -= 1
            let nonSynchronizing = position >= lineStart && bytes[position] == UInt8(ascii: "+")
            if nonSynchronizing { position -= 1 }
            let digitsEnd = position + 1
            while position >= lineStart, bytes[position] >= 0x30, bytes[position] <= 0x39 { position -= 1 }
            let digitCount = digitsEnd - position - 1
            guard digitCount > 0, digitCount <= 19, position >= lineStart, bytes[position] == UInt8(ascii: "{") else { return nil }
            var length: UInt64 = 0
            for index in (position + 1)..<digitsEnd { length = length * 10 + UInt64(bytes[index] - 0x30) }
            return LiteralMarker(length: length, nonSynchronizing: nonSynchronizing)
        }
    }

    /// "STARTTLS" or "COMPRESS" when the command is one of those, which put a new layer under the framer.
    private func layerSwitchingCommand(_ command: ByteBuffer) -> String? {
        command.withUnsafeReadableBytes { bytes -> String? in
            guard let space = bytes.firstIndex(of: 0x20) else { return nil }
            for name in ["STARTTLS", "COMPRESS"] {
                var index = space + 1
                var matches = true
                for expected in name.utf8 {
                    guard index < bytes.count, bytes[index] & 0xDF == expected else {
                        matches = false
                        break
                    }
                    index += 1
                }
                if matches && index < bytes.count && (bytes[index] == 0x0D || bytes[index] == 0x0A || bytes[index] == 0x20) {
                    return name
                }
            }
            return nil
        }
    }
}
