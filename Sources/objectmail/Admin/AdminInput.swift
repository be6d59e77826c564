import NIOCore

/// What an admin connection sent, read as the admin protocols need it: one request line, then (for a delivery)
/// exactly as many bytes as the request announced.
struct AdminInput {
    struct TooLong: Error, CustomStringConvertible {
        var description: String { "request line longer than \(AdminServer.maximumLine) bytes" }
    }

    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var pending = ByteBuffer()

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    /// The bytes before the next newline; what came before the end of the stream when it ends first; nil when
    /// nothing came at all.
    mutating func line(limit: Int) async throws -> String? {
        while true {
            if let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - pending.readerIndex
                let line = pending.readString(length: length) ?? ""
                pending.moveReaderIndex(forwardBy: 1)
                return line
            }
            guard pending.readableBytes <= limit else { throw TooLong() }
            guard var next = try await iterator.next() else {
                return pending.readableBytes > 0 ? pending.readString(length: pending.readableBytes) : nil
            }
            pending.writeBuffer(&next)
        }
    }

    /// Hands exactly `count` bytes to `consume`, piece by piece as they arrive; false when the stream ends first.
    mutating func read(_ count: Int, into consume: (ByteBuffer) async throws -> Void) async throws -> Bool {
        var remaining = count
        while remaining > 0 {
            if pending.readableBytes == 0 {
                guard let next = try await iterator.next() else { return false }
                pending = next
            }
            let piece = pending.readSlice(length: min(remaining, pending.readableBytes))!
            remaining -= piece.readableBytes
            try await consume(piece)
        }
        return true
    }
}
