import IMAPProtocol
import NIOCore
import NIOEmbedded
import Testing

/// Large APPEND literals leave the framer in pieces instead of being buffered whole.
@Suite struct SpooledLiteralFramingTests {
    private func harness(threshold: UInt64 = 16, authenticated: Bool = true) throws -> (EmbeddedChannel, IMAPFramerControl) {
        var limits = IMAPFramingLimits()
        limits.spoolThreshold = threshold
        let control = IMAPFramerControl(authenticated: authenticated)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IMAPCommandFramer(limits: limits, control: control)))
        return (channel, control)
    }

    private func feed(_ channel: EmbeddedChannel, _ text: String) throws -> [String] {
        try channel.writeInbound(ByteBuffer(string: text))
        var frames: [String] = []
        while let frame = try channel.readInbound(as: IMAPFrame.self) {
            switch frame {
            case .command(let buffer): frames.append("command:" + String(buffer: buffer))
            case .spooledLiteral(let prefix, let length, let synchronizing):
                frames.append("spool:\(length)\(synchronizing ? "" : "+"):" + String(buffer: prefix))
            case .literalData(let buffer): frames.append("data:" + String(buffer: buffer))
            case .continuationRequest: frames.append("+")
            case .line(let buffer): frames.append("line:" + String(buffer: buffer))
            case .rejected(let error): frames.append("rejected:\(error.message)")
            }
        }
        return frames
    }

    @Test func aLargeAppendLiteralComesInPiecesAndTheRestOfTheCommandAfterIt() throws {
        let (channel, _) = try harness()
        #expect(try feed(channel, "a APPEND INBOX (\\Seen) {20}\r\n") == ["spool:20:a APPEND INBOX (\\Seen) {20}\r\n"])
        #expect(try feed(channel, "0123456789") == ["data:0123456789"])
        // The literal's end, then the CRLF that ends the command: not taken for a blank line.
        #expect(try feed(channel, "abcdefghij\r\nb NOOP\r\n") == ["data:abcdefghij", "command:\r\n", "command:b NOOP\r\n"])
    }

    @Test func multiappendSpoolsEachLiteralThatWouldPassTheThresholdAndKeepsSmallOnes() throws {
        let (channel, _) = try harness()
        let frames = try feed(channel, "a APPEND INBOX {3+}\r\nabc {17+}\r\n01234567890123456 {2+}\r\nxy\r\n")
        // The first literal is small, but with its line it passes the 16-byte threshold: spooled too.
        #expect(
            frames == [
                "spool:3+:a APPEND INBOX {3+}\r\n", "data:abc", "spool:17+: {17+}\r\n", "data:01234567890123456",
                "command: {2+}\r\nxy\r\n"
            ])
    }

    @Test func otherCommandsAndClientsNotLoggedInAreNotSpooled() throws {
        let (channel, _) = try harness()
        #expect(try feed(channel, "a SEARCH TEXT {20}\r\n") == ["+"])
        let (anonymous, _) = try harness(threshold: 4, authenticated: false)
        #expect(try feed(anonymous, "a APPEND INBOX {20}\r\n") == ["+"])
    }

    @Test func aRefusedSynchronizingLiteralLetsTheNextCommandThrough() throws {
        let (channel, control) = try harness()
        #expect(try feed(channel, "a APPEND INBOX {99999}\r\n") == ["spool:99999:a APPEND INBOX {99999}\r\n"])
        control.cancelSpooledLiteral()
        #expect(try feed(channel, "b NOOP\r\n") == ["command:b NOOP\r\n"])
    }
}

extension SpooledLiteralFramingTests {
    @Test func smallAppendLiteralsAreSpooledOnceTheCommandHeldInMemoryPassesTheThreshold() throws {
        let (channel, _) = try harness(threshold: 40)
        let frames = try feed(channel, "a APPEND INBOX {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\nabcdefghij\r\n")
        #expect(
            frames == [
                "spool:10+:a APPEND INBOX {10+}\r\n0123456789 {10+}\r\n", "data:0123456789",
                "command: {10+}\r\nabcdefghij\r\n"
            ])
    }

    @Test func otherCommandsLiteralsCountTowardTheLineLengthLikeDovecot() throws {
        var limits = IMAPFramingLimits(maxLineLength: 100)
        limits.spoolThreshold = 1000
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(IMAPCommandFramer(limits: limits, control: IMAPFramerControl(authenticated: true))))
        #expect(try feed(channel, "a SEARCH TEXT {200}\r\nb NOOP\r\n") == ["rejected:Literal size too large", "command:b NOOP\r\n"])
    }
}
