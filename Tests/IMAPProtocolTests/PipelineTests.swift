import IMAPProtocol
import NIOCore
import NIOEmbedded
import Testing

/// Framer, parser and encoder together in a channel, the way the session handler will use them: continuation
/// requests answered at once, parse errors and framing rejections as tagged BAD, IDLE through line mode.
@Suite struct PipelineTests {
    /// A minimal session: answers every command with `tag OK <name>`, and IDLE with a continuation.
    final class EchoSession: ChannelInboundHandler {
        typealias InboundIn = IMAPFrame
        typealias OutboundOut = ByteBuffer

        let control: IMAPFramerControl
        let parser = IMAPCommandParser()
        let encoder = IMAPResponseEncoder()
        var idleTag: String?

        init(control: IMAPFramerControl) {
            self.control = control
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var out = context.channel.allocator.buffer(capacity: 64)
            switch unwrapInboundIn(data) {
            case .continuationRequest, .spooledLiteral:
                encoder.writeContinuation(into: &out)
            case .literalData:
                return
            case .rejected(let error):
                if let tag = error.tag {
                    encoder.writeTagged(tag, error.status, code: error.code, error.message, into: &out)
                } else {
                    encoder.writeUntagged(error.status, code: error.code, error.message, into: &out)
                }
            case .line(let line):
                guard let tag = idleTag, String(buffer: line).uppercased() == "DONE" else {
                    encoder.writeUntagged(.bad, "Expected DONE", into: &out)
                    break
                }
                control.mode = .command
                idleTag = nil
                encoder.writeTagged(tag, .ok, "IDLE terminated", into: &out)
            case .command(let bytes):
                do {
                    let tagged = try parser.parse(bytes)
                    if tagged.command == .idle {
                        control.mode = .line
                        idleTag = tagged.tag
                        encoder.writeContinuation("idling", into: &out)
                    } else {
                        encoder.writeTagged(tagged.tag, .ok, tagged.command.name, into: &out)
                    }
                } catch {
                    encoder.writeTagged(error.tag ?? "*", .bad, error.message, into: &out)
                }
            }
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }
    }

    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let control = IMAPFramerControl(authenticated: true)
        let limits = IMAPFramingLimits(maxLineLength: 200, maxNonSynchronizingLiteralSize: 4096)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IMAPCommandFramer(limits: limits, control: control)))
        try channel.pipeline.syncOperations.addHandler(EchoSession(control: control))
        return channel
    }

    private func exchange(_ channel: EmbeddedChannel, _ input: String) throws -> String {
        try channel.writeInbound(ByteBuffer(string: input))
        var output = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { output += String(buffer: buffer) }
        return output
    }

    @Test func sessionFlow() throws {
        let channel = try makeChannel()
        #expect(try exchange(channel, "a1 LOGIN {4}\r\n") == "+ OK\r\n")
        #expect(try exchange(channel, "fred pw\r\n") == "a1 OK LOGIN\r\n")
        #expect(
            try exchange(channel, "a2 SELECT INBOX\r\na3 UID FETCH 1:* (FLAGS)\r\na4 BOGUS\r\n")
                == "a2 OK SELECT\r\na3 OK UID FETCH\r\na4 BAD Unknown command\r\n")
        #expect(try exchange(channel, "a5 IDLE\r\n") == "+ idling\r\n")
        #expect(try exchange(channel, "DONE\r\na6 NOOP\r\n") == "a5 OK IDLE terminated\r\na6 OK NOOP\r\n")
        #expect(
            try exchange(channel, "a7 SEARCH TEXT " + String(repeating: "y", count: 300) + "\r\na8 NOOP\r\n")
                == "a7 BAD Command line too long\r\na8 OK NOOP\r\n")
        #expect(
            try exchange(channel, "a9 APPEND INBOX {5000+}\r\n" + String(repeating: "m", count: 5000) + "\r\nb1 NOOP\r\n")
                == "a9 BAD Non-synchronizing literal larger than 4096 bytes (LITERAL-)\r\nb1 OK NOOP\r\n")
        #expect(try exchange(channel, "b2 APPEND INBOX {3+}\r\nabc\r\n") == "b2 OK APPEND\r\n")
        _ = try channel.finish()
    }
}
