import NIOCore
import NIOEmbedded
import Testing

@testable import Server

/// `LMTPFramer` without a channel: it stops at a DATA line until told what follows, hands body bytes out one
/// frame at a time, and always reads a BDAT chunk's bytes as the chunk.
@Suite struct LMTPFramerTests {
    /// Feeds `input` and collects frames until the framer needs more input or an answer.
    struct Feeder {
        var framer: LMTPFramer
        var buffer = ByteBuffer()

        init(maxCommandLine: Int = 100, blockSize: Int = 1000) {
            framer = LMTPFramer(maxCommandLine: maxCommandLine, blockSize: blockSize)
        }

        mutating func feed(_ text: String) -> [LMTPFrame] {
            buffer.writeString(text)
            return frames()
        }

        mutating func frames() -> [LMTPFrame] {
            var frames: [LMTPFrame] = []
            while let frame = framer.nextFrame(&buffer) { frames.append(frame) }
            return frames
        }

        mutating func answer(_ event: LMTPFramerEvent) -> [LMTPFrame] {
            framer.apply(event)
            return frames()
        }
    }

    func body(_ text: String, end: Bool) -> LMTPFrame { .body(Array(text.utf8), end: end) }

    @Test func aDataLineStopsTheFramerUntilTheSessionAnswers() {
        var feeder = Feeder()
        #expect(feeder.feed("NOOP\r\nDATA\r\nline\r\n.\r\nQUIT\r\n") == [.command(.noop), .command(.data)])
        #expect(feeder.framer.isWaiting)
        #expect(feeder.frames() == [])
        #expect(feeder.answer(.dataAccepted) == [body("line\r\n", end: true)])
        #expect(feeder.answer(.bodyTaken) == [.command(.quit)])
    }

    @Test func aRefusedDataLeavesTheFollowingLinesAsCommands() {
        var feeder = Feeder()
        #expect(feeder.feed("DATA\r\nNOOP\r\n.\r\n") == [.command(.data)])
        #expect(feeder.answer(.dataRefused) == [.command(.noop), .command(.unknown("."))])
        #expect(!feeder.framer.isWaiting)
    }

    @Test func theBodyIsHandedOutInBlocksOneAtATime() {
        var feeder = Feeder(blockSize: 8)
        #expect(feeder.feed("DATA\r\n") == [.command(.data)])
        #expect(feeder.answer(.dataAccepted) == [])
        #expect(feeder.feed("..first line\r\nsecond\r\n") == [body(".first line\r\n", end: false)])
        // Nothing more until the session took the block, although the input is there.
        #expect(feeder.frames() == [])
        #expect(feeder.answer(.bodyTaken) == [body("second\r\n", end: false)])
        #expect(feeder.answer(.bodyTaken) == [])
        #expect(feeder.feed(".\r\nRSET\r\n") == [body("", end: true)])
        #expect(feeder.answer(.bodyTaken) == [.command(.rset)])
    }

    @Test func bdatChunkBytesAlwaysFollowTheirCommand() {
        var feeder = Feeder(blockSize: 4)
        // The chunk looks like commands; it is read as bytes, whatever the session answers.
        #expect(feeder.feed("BDAT 12\r\nNOOP\r\nQUIT\r\nBDAT 0 LAST\r\n") == [.command(.bdat(size: 12, last: false)), body("NOOP", end: false)])
        #expect(feeder.answer(.bodyTaken) == [body("\r\nQU", end: false)])
        #expect(feeder.answer(.bodyTaken) == [body("IT\r\n", end: true)])
        #expect(feeder.answer(.bodyTaken) == [.command(.bdat(size: 0, last: true)), body("", end: true)])
        #expect(feeder.answer(.bodyTaken) == [])
        #expect(feeder.feed("BDAT 3\r\nab") == [.command(.bdat(size: 3, last: false))])
        #expect(feeder.feed("cNOOP\r\n") == [body("abc", end: true)])
        #expect(feeder.answer(.bodyTaken) == [.command(.noop)])
    }

    @Test func anOverLongCommandLineIsReportedOnceAndNotHeld() {
        var feeder = Feeder(maxCommandLine: 10)
        #expect(feeder.feed("NOOP " + String(repeating: "x", count: 50)) == [])
        #expect(feeder.buffer.readableBytes == 0)
        #expect(feeder.feed(String(repeating: "y", count: 50) + "\r\nNOOP\r\n") == [.tooLong, .command(.noop)])
        // Exactly at the limit, CRLF not counted.
        #expect(feeder.feed("VRFY 12345\r\n") == [.command(.vrfy)])
    }
}

/// `LMTPFramingHandler` in a pipeline: while the framer waits for the session, at most `maxHeldInput` bytes are
/// held before the socket stops being read; the session's answer lets reading go on.
@Suite struct LMTPFramingHandlerTests {
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test func readsAreHeldWhileTheFramerWaitsWithInputPiledUp() throws {
        var configuration = LMTPConfiguration(hostname: "mx")
        configuration.spool.threshold = 128 * 1024
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(LMTPFramingHandler(configuration: configuration))
        try channel.writeInbound(ByteBuffer(string: "DATA\r\n" + String(repeating: "0123456789abcde\n", count: 20_000)))
        #expect(try channel.readInbound(as: LMTPFrame.self) == .command(.data))
        #expect(try channel.readInbound(as: LMTPFrame.self) == nil)
        channel.read()
        #expect(counter.reads == 0)
        channel.pipeline.fireUserInboundEventTriggered(LMTPFramerEvent.dataAccepted)
        guard case .body(let block, end: false) = try channel.readInbound(as: LMTPFrame.self) else {
            Issue.record("no body block")
            return
        }
        #expect(block.count >= configuration.spool.threshold)
        // Less than maxHeldInput is left: the read held back is issued now.
        #expect(counter.reads == 1)
        _ = try channel.finish()
    }
}
