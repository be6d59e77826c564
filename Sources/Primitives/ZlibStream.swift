import CZlib

/// One zlib stream, compressing or decompressing, in one of the two formats ObjectMail speaks: raw deflate
/// (RFC 1951, IMAP COMPRESS=DEFLATE) and gzip (RFC 1952, the `compress:gz` storage wrapper, which Dovecot's
/// objects also use). Input goes in in pieces of any size; output comes out through a callback, a piece at a
/// time, so neither side needs the whole data in memory.
///
/// Not thread-safe: one owner at a time (a channel handler, one blocking job).
public final class ZlibStream {
    public enum Format: Sendable {
        /// No header or trailer (windowBits -15).
        case rawDeflate
        /// A gzip header and CRC trailer when compressing (windowBits 31); when decompressing, gzip or zlib
        /// (windowBits 47, detected from the header) and any number of concatenated members, as `cat a.gz b.gz` makes.
        case gzip
    }

    public enum Flush: Sendable {
        /// Output whenever zlib has it: most stays buffered until more input comes (whole objects).
        case none
        /// All output for the input so far, ending on a byte boundary, the stream staying open: what an
        /// interactive protocol needs so that a response is never held back.
        case sync
        /// The input is complete: the stream's end (and gzip's trailer) is written.
        case finish
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// zlib keeps a pointer back to its z_stream, so the stream needs a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private let compressing: Bool
    private let format: Format
    /// Decompressing: the stream (the last gzip member so far) has ended.
    public private(set) var isFinished = false

    /// `level` 1 (fastest) to 9 (smallest), or -1 for zlib's default (6). `chunkSize`: the most output handed to
    /// the callback at once.
    public init(compressing format: Format, level: Int32 = -1, chunkSize: Int = 64 * 1024) throws(Failure) {
        stream = try Self.makeStream("deflateInit2") { czlib_deflate_init($0, level, format == .gzip ? 31 : -15) }
        compressing = true
        self.format = format
        output = .allocate(byteCount: chunkSize, alignment: 16)
    }

    public init(decompressing format: Format, chunkSize: Int = 64 * 1024) throws(Failure) {
        stream = try Self.makeStream("inflateInit2") { czlib_inflate_init($0, format == .gzip ? 47 : -15) }
        compressing = false
        self.format = format
        output = .allocate(byteCount: chunkSize, alignment: 16)
    }

    private static func makeStream(_ call: String, _ initialise: (z_streamp) -> Int32) throws(Failure) -> UnsafeMutablePointer<z_stream> {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard initialise(stream) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw Failure(description: "\(call) failed")
        }
        return stream
    }

    deinit {
        if compressing { deflateEnd(stream) } else { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Feeds all of `input` through the stream and passes the output produced to `emit`, in pieces (each valid
    /// only during its call). Decompressing, `flush` is ignored: whatever can be decoded is; whether the data
    /// was complete is `isFinished` after the last input. Bytes after the end of a raw deflate stream are
    /// ignored; after a gzip member, the next member starts.
    public func process(
        _ input: UnsafeRawBufferPointer, flush: Flush = .none,
        emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        if !compressing && isFinished {
            guard format == .gzip, !input.isEmpty else { return }
            try reset()
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        let zlibFlush =
            switch flush {
            case .none: Z_NO_FLUSH
            case .sync: Z_SYNC_FLUSH
            case .finish: Z_FINISH
            }
        while true {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let status = compressing ? deflate(stream, zlibFlush) : inflate(stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            let outputFull = stream.pointee.avail_out == 0
            switch status {
            case Z_OK:
                // Compressing to the end, only Z_STREAM_END says all is out.
                if outputFull || stream.pointee.avail_in > 0 || (compressing && flush == .finish) { continue }
                return
            case Z_BUF_ERROR:
                // No progress was possible: all input consumed and nothing left to write.
                return
            case Z_STREAM_END where compressing:
                return
            case Z_STREAM_END:
                isFinished = true
                guard format == .gzip, stream.pointee.avail_in > 0 else { return }
                try reset()
            default:
                throw Failure(description: "\(compressing ? "deflate" : "inflate") failed (zlib status \(status))")
            }
        }
    }

    /// Decompressing, after the last input: an error unless the data ended where the stream does.
    public func requireFinished() throws(Failure) {
        guard isFinished else { throw Failure(description: "truncated \(format == .gzip ? "gzip" : "deflate") stream") }
    }

    /// The next gzip member starts after the one that ended.
    private func reset() throws(Failure) {
        guard inflateReset(stream) == Z_OK else { throw Failure(description: "inflateReset failed") }
        isFinished = false
    }
}

extension ZlibStream {
    /// `bytes` compressed whole.
    public static func compress(_ bytes: [UInt8], format: Format, level: Int32 = -1) throws -> [UInt8] {
        let stream = try ZlibStream(compressing: format, level: level)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count / 2 + 64)
        try bytes.withUnsafeBytes { input in
            try stream.process(input, flush: .finish) { result.append(contentsOf: $0) }
        }
        return result
    }

    /// `bytes` decompressed whole; an error when they end before the stream does.
    public static func decompress(_ bytes: [UInt8], format: Format) throws -> [UInt8] {
        let stream = try ZlibStream(decompressing: format)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count * 4)
        try bytes.withUnsafeBytes { input in
            try stream.process(input) { result.append(contentsOf: $0) }
        }
        try stream.requireFinished()
        return result
    }
}
