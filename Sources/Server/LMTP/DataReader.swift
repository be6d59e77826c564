import NIOCore

/// Collects a DATA body: lines up to the lone ".", dot-unstuffed, every line ended with CRLF
/// (a bare LF from a sloppy client counts as a line end). Past the size limit the bytes are
/// counted and dropped, so the terminating dot is still found and the answer can be 552.
/// The session moves the collected bytes to its spool file (`takeMessage`) once they pass the spool
/// threshold, so `message` holds only what was not yet written out.
struct DataReader {
    let limit: Int
    private(set) var message: [UInt8] = []
    private(set) var tooBig = false
    /// Bytes already taken by `takeMessage` (written to the spool file).
    private(set) var taken = 0
    /// The current line so far (once too big: only its first bytes, enough to spot the ".").
    private var line: [UInt8] = []
    private var lineLength = 0
    /// Part of the current line was already moved to `message` (a line longer than `maxHeldLine`).
    private var lineFlushed = false
    /// A line is never held longer than this: a client sending one endless line must not grow memory.
    static let maxHeldLine = 64 * 1024

    init(limit: Int) {
        self.limit = limit
    }

    /// Consumes bytes from `buffer`; true once the terminating "." line has been read.
    mutating func read(_ buffer: inout ByteBuffer) -> Bool {
        while buffer.readableBytes > 0 {
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
        if tooBig {
            if line.count < 3 { line += bytes.prefix(3 - line.count) }
            return
        }
        line += bytes
        if taken + message.count + line.count + 2 > limit {
            markTooBig()
            line = Array(line.prefix(3))
        } else if line.count > Self.maxHeldLine {
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
        if (lineFlushed || lineLength == line.count) && content.last == UInt8(ascii: "\r") { content = content.dropLast() }
        let isDot =
            content.count == 1 && content.first == UInt8(ascii: ".")
            && (lineLength == 1 || (lineLength == 2 && line.last == UInt8(ascii: "\r")))
        if isDot { return true }
        guard !tooBig else { return false }
        if !lineFlushed && content.first == UInt8(ascii: ".") { content = content.dropFirst() }
        if taken + message.count + content.count + 2 > limit {
            markTooBig()
            return false
        }
        message += content
        message += [13, 10]
        return false
    }

    /// The body collected since the last call, to be appended to the spool file.
    mutating func takeMessage() -> [UInt8] {
        defer { message = [] }
        taken += message.count
        return message
    }

    private mutating func markTooBig() {
        tooBig = true
        message = []
    }
}
