import NIOCore
import Testing

@testable import Server

/// A DATA line without an end (the reliability suite's memory probe) is moved out as it arrives instead of being held
/// whole; what comes out is the same as for a line read in one piece.
struct DataReaderLongLineTests {
    @Test func anEndlessLineIsNotHeldAndStaysByteExact() {
        var reader = DataReader()
        let body = [UInt8(ascii: ".")] + [UInt8](repeating: UInt8(ascii: "x"), count: 300_000) + [13]
        var collected: [UInt8] = []
        var largestHeld = 0
        // Chunks that cut the line anywhere, the CR of its CRLF included.
        for start in stride(from: 0, to: body.count, by: 4099) {
            var buffer = ByteBuffer(bytes: body[start..<min(start + 4099, body.count)])
            let finished = reader.read(&buffer)
            #expect(!finished)
            largestHeld = max(largestHeld, reader.message.count)
            collected += reader.takeMessage()
        }
        var end = ByteBuffer(bytes: Array("\n.\r\n".utf8))
        let ended = reader.read(&end)
        #expect(ended)
        collected += reader.takeMessage()
        #expect(collected == Array(body.dropFirst().dropLast()) + [13, 10])
        #expect(largestHeld < 2 * DataReader.maxHeldLine)
    }

    @Test func shortLinesAreUnchanged() {
        var reader = DataReader()
        var buffer = ByteBuffer(bytes: Array("a\r\n..b\r\nc\n.\r\n".utf8))
        let ended = reader.read(&buffer)
        #expect(ended)
        #expect(reader.takeMessage() == Array("a\r\n.b\r\nc\r\n".utf8))
    }
}
