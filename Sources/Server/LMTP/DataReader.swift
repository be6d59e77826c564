import NIOCore

/// Collects a DATA body for `LMTPFramer`: lines up to the lone ".", dot-unstuffed, every line ended with CRLF
/// (a bare LF from a sloppy client counts as a line end). The framer hands the collected bytes to the session
/// (`takeMessage`) in blocks, so `message` holds only what was not yet handed out; the session counts the size
/// against the limit.
struct DataReader {
    private(set) var message: [UInt8] = []
    /// The current line so far.
    private var line: [UInt8] = []
    private var lineLength = 0
    /// Part of the current line was already moved to `message` (a line longer than `maxHeldLine`).
    private var lineFlushed = false
    /// A line is never held longer than this: a client sending one endless line must not grow memory.
    static let maxHeldLine = 64 * 1024

    /// Consumes bytes from `buffer` until the terminating "." line or until `message` holds `blockSize` bytes;
    /// true once the terminating "." line has been read.
    mutating func read(_ buffer: inout ByteBuffer, blockSize: Int = .max) -> Bool {
        while buffer.readableBytes > 0 && message.count < blockSize {
            let view = buffer.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                keep(view[...])
                buffer.moveReaderIndex(forwardBy: view.count)
                return false
            }
            keep(view[view.startIndex..<newline])
            buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
            if finishLine() { return true }
        }
        return false
    }

    private mutating func keep(_ bytes: ByteBufferView.SubSequence) {
        lineLength += bytes.count
        line += bytes
        if line.count > Self.maxHeldLine {
            // Out with all but the last byte, which may be the CR of the line's CRLF. A line this long is never
            // the terminating ".", and its dot-stuffing is undone on its first part only.
            var part = line.dropLast()[...]
            if !lineFlushed && part.first == UInt8(ascii: ".") { part = part.dropFirst() }
            message += part
            line = [line[line.count - 1]]
            lineFlushed = true
        }
    }

    /// Ends the current line; true if it was the terminating ".".
    private mutating func finishLine() -> Bool {
        defer {
            line.removeAll(keepingCapacity: true)
            lineLength = 0
            lineFlushed = false
        }
        var content = line[...]
        if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
        if !lineFlushed && content.count == 1 && content.first == UInt8(ascii: ".") { return true }
        if !lineFlushed && content.first == UInt8(ascii: ".") { content = content.dropFirst() }
        message += content
        message.append(13)
        message.append(10)
        return false
    }

    /// The body collected since the last call.
    mutating func takeMessage() -> [UInt8] {
        defer { message = [] }
        return message
    }
}
