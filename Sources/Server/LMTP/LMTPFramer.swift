import NIOCore

/// One unit of LMTP client input, as `LMTPFramer` cuts it.
enum LMTPFrame: Sendable, Equatable {
    /// A command line, parsed. After `.data` the framer reads nothing until the session says whether the body
    /// follows (`LMTPFramerEvent.dataAccepted` / `.dataRefused`); after `.bdat(size:…)` the next `size` bytes are
    /// the chunk, whatever the session answers (RFC 3030).
    case command(LMTPCommand)
    /// A command line longer than `maxCommandLine`, dropped without being held.
    case tooLong
    /// Body bytes: of the DATA body (dot-unstuffed, CRLF line ends) or of the BDAT chunk announced last, at most
    /// about a block at a time. `end` marks the end of the body or chunk. Nothing more is read into frames until
    /// the session answers `LMTPFramerEvent.bodyTaken`, so body bytes never pile up ahead of it.
    case body([UInt8], end: Bool)
}

/// What the session tells the framer, each the answer to a frame the framer stopped at. Sent down the pipeline as
/// a user event (`LMTPFramingHandler`).
enum LMTPFramerEvent: Sendable {
    /// DATA was answered 354: the DATA body follows.
    case dataAccepted
    /// DATA was refused: the next lines are commands.
    case dataRefused
    /// The session took the last `.body` frame (spooled it if it had to): read on.
    case bodyTaken
}

/// Cuts LMTP input into command lines, DATA bodies and BDAT chunks. Which of them comes next depends on the
/// session's answers (a refused DATA is followed by commands), so the framer stops where it cannot know and
/// waits for an `LMTPFramerEvent`. Usable without a channel (unit tests).
struct LMTPFramer {
    enum Mode {
        case commands
        /// After a DATA line: nothing is read until the session says whether its body follows.
        case awaitingDataReply
        case dataBody(DataReader)
        /// `remaining` bytes of a BDAT chunk still to come; `bytes` read but not yet handed out.
        case chunk(remaining: Int, bytes: [UInt8])
    }

    private(set) var mode = Mode.commands
    /// A `.body` frame was handed out and the session has not taken it yet.
    private(set) var bodyOutstanding = false
    private var lines: LineFramer
    /// Body bytes are handed out in blocks of about this size (the spool threshold: each block the session gets
    /// is either the whole body or worth writing to the spool file).
    let blockSize: Int

    init(maxCommandLine: Int, blockSize: Int) {
        lines = LineFramer(maxLineLength: maxCommandLine)
        self.blockSize = max(1, blockSize)
    }

    /// Whether the framer stopped until the session answers.
    var isWaiting: Bool {
        if bodyOutstanding { return true }
        if case .awaitingDataReply = mode { return true }
        return false
    }

    /// The next frame, or nil when more input or the session's answer is needed.
    mutating func nextFrame(_ buffer: inout ByteBuffer) -> LMTPFrame? {
        guard !bodyOutstanding else { return nil }
        switch mode {
        case .commands:
            guard let frame = lines.nextFrame(&buffer) else { return nil }
            guard case .line(let text) = frame else { return .tooLong }
            let command = LMTPCommand.parse(text[...])
            switch command {
            case .data: mode = .awaitingDataReply
            case .bdat(let size, _): mode = .chunk(remaining: size, bytes: [])
            default: break
            }
            return .command(command)
        case .awaitingDataReply:
            return nil
        case .dataBody(var reader):
            // The mode lets go of the reader while it reads, so its bytes are changed in place, not copied.
            mode = .commands
            if reader.read(&buffer, blockSize: blockSize) { return body(reader.takeMessage(), end: true) }
            guard reader.message.count >= blockSize else {
                mode = .dataBody(reader)
                return nil
            }
            let bytes = reader.takeMessage()
            mode = .dataBody(reader)
            return body(bytes, end: false)
        case .chunk(let remaining, var bytes):
            mode = .commands
            let count = min(remaining, buffer.readableBytes, blockSize - bytes.count)
            if bytes.isEmpty { bytes.reserveCapacity(min(remaining, blockSize)) }
            bytes += buffer.readableBytesView.prefix(count)
            buffer.moveReaderIndex(forwardBy: count)
            if count == remaining { return body(bytes, end: true) }
            guard bytes.count >= blockSize else {
                mode = .chunk(remaining: remaining - count, bytes: bytes)
                return nil
            }
            mode = .chunk(remaining: remaining - count, bytes: [])
            return body(bytes, end: false)
        }
    }

    private mutating func body(_ bytes: [UInt8], end: Bool) -> LMTPFrame {
        bodyOutstanding = true
        return .body(bytes, end: end)
    }

    mutating func apply(_ event: LMTPFramerEvent) {
        switch event {
        case .dataAccepted:
            if case .awaitingDataReply = mode { mode = .dataBody(DataReader()) }
        case .dataRefused:
            if case .awaitingDataReply = mode { mode = .commands }
        case .bodyTaken:
            bodyOutstanding = false
        }
    }
}
