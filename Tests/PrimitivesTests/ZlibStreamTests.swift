import Primitives
import Testing

@Suite struct ZlibStreamTests {
    let text = Array(String(repeating: "* 1 FETCH (FLAGS (\\Seen) UID 4711)\r\n", count: 4_000).utf8)

    func run(_ stream: ZlibStream, _ input: [UInt8], flush: ZlibStream.Flush = .none) throws -> [UInt8] {
        var output: [UInt8] = []
        try input.withUnsafeBytes { bytes in try stream.process(bytes, flush: flush) { output += $0 } }
        return output
    }

    /// IMAP COMPRESS: each response is complete on the wire after its sync flush, so the peer decodes it
    /// without waiting for more, and the stream goes on across responses.
    @Test func syncFlushMakesEachPieceDecodableAtOnce() throws {
        let deflater = try ZlibStream(compressing: .rawDeflate, chunkSize: 1024)
        let inflater = try ZlibStream(decompressing: .rawDeflate, chunkSize: 1024)
        for piece in [Array("a0001 OK hello\r\n".utf8), text, [], Array("* BYE\r\n".utf8)] {
            let wire = try run(deflater, piece, flush: .sync)
            if !piece.isEmpty { #expect(wire.suffix(4) == [0, 0, 0xFF, 0xFF], "a sync flush ends on an empty stored block") }
            #expect(try run(inflater, wire) == piece)
        }
        #expect(!inflater.isFinished, "the connection's stream never ends")
    }

    /// Another implementation's output (Python's zlib), fed a byte at a time.
    @Test func readsOtherImplementationsInAnyPieces() throws {
        let inflater = try ZlibStream(decompressing: .rawDeflate)
        var plain: [UInt8] = []
        for byte in Hex.decode("4a3430303054f0f756c848cdc9c9e7e502000000ffff")! {
            plain += try run(inflater, [byte])
        }
        #expect(plain == Array("a0001 OK hello\r\n".utf8))
        // The gzip reader takes zlib-wrapped data too (header detection) and gzip with any header fields.
        #expect(try ZlibStream.decompress(Hex.decode("789cabcac94c52282f4a2c28484d01001f0404c5")!, format: .gzip) == Array("zlib wrapped".utf8))
        #expect(try ZlibStream.decompress(Hex.decode("1f8b0800000000000203cbcf4b0500f1866c7a03000000")!, format: .gzip) == Array("one".utf8))
    }

    @Test func gzipRoundTripAndConcatenatedMembers() throws {
        let first = try ZlibStream.compress(text, format: .gzip, level: 9)
        #expect(first.prefix(2) == [0x1F, 0x8B])
        #expect(first.count < text.count / 20)
        let second = try ZlibStream.compress(Array("tail".utf8), format: .gzip, level: 1)
        #expect(try ZlibStream.decompress(first + second, format: .gzip) == text + Array("tail".utf8))
        // Streamed in pieces that split the members anywhere, the output is the same.
        let inflater = try ZlibStream(decompressing: .gzip, chunkSize: 333)
        var plain: [UInt8] = []
        let joined = first + second
        for start in stride(from: 0, to: joined.count, by: 7) {
            plain += try run(inflater, Array(joined[start..<min(start + 7, joined.count)]))
        }
        #expect(plain == text + Array("tail".utf8))
        #expect(inflater.isFinished)
    }

    @Test func truncatedOrDamagedDataIsAnError() throws {
        let compressed = try ZlibStream.compress(text, format: .gzip)
        #expect(throws: ZlibStream.Failure.self) { try ZlibStream.decompress(Array(compressed.dropLast(5)), format: .gzip) }
        #expect(throws: ZlibStream.Failure.self) { try ZlibStream.decompress([], format: .gzip) }
        var damaged = compressed
        damaged[damaged.count / 2] ^= 0xFF
        #expect(throws: ZlibStream.Failure.self) { try ZlibStream.decompress(damaged, format: .gzip) }
        #expect(throws: ZlibStream.Failure.self) { try ZlibStream.decompress(compressed + [0, 0, 0], format: .gzip) }
        #expect(throws: ZlibStream.Failure.self) { try ZlibStream.decompress(Array("plain text".utf8), format: .rawDeflate) }
    }

    /// A finished raw deflate stream takes no more data: what follows its end is not decoded.
    @Test func rawStreamEndsOnce() throws {
        let whole = try ZlibStream.compress(Array("done".utf8), format: .rawDeflate)
        let inflater = try ZlibStream(decompressing: .rawDeflate)
        #expect(try run(inflater, whole + Array("junk".utf8)) == Array("done".utf8))
        #expect(inflater.isFinished)
        #expect(try run(inflater, Array("more".utf8)).isEmpty)
    }
}
