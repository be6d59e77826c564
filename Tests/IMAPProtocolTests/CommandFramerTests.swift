import IMAPProtocol
import NIOCore
import NIOEmbedded
import Testing

@Suite struct CommandFramerTests {
    /// An EmbeddedChannel with the framer, fed in pieces; returns every frame as text.
    private final class Harness {
        let channel: EmbeddedChannel
        let control: IMAPFramerControl

        init(limits: IMAPFramingLimits = IMAPFramingLimits(), authenticated: Bool = true) throws {
            control = IMAPFramerControl(authenticated: authenticated)
            channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IMAPCommandFramer(limits: limits, control: control)))
        }

        func feed(_ pieces: String...) throws -> [String] {
            var frames: [String] = []
            for piece in pieces {
                try channel.writeInbound(ByteBuffer(string: piece))
                while let frame = try channel.readInbound(as: IMAPFrame.self) { frames.append(Self.describe(frame)) }
            }
            return frames
        }

        func feed(bytes: [UInt8]) throws -> [String] {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
            var frames: [String] = []
            while let frame = try channel.readInbound(as: IMAPFrame.self) { frames.append(Self.describe(frame)) }
            return frames
        }

        static func describe(_ frame: IMAPFrame) -> String {
            switch frame {
            case .command(let buffer): "command:" + String(buffer: buffer)
            case .line(let buffer): "line:" + String(buffer: buffer)
            case .continuationRequest: "+"
            case .spooledLiteral(let prefix, let length, let synchronizing):
                "spool:\(length)\(synchronizing ? "" : "+"):" + String(buffer: prefix)
            case .literalData(let buffer): "data:\(buffer.readableBytes)"
            case .rejected(let error): "rejected:\(error.tag ?? "*") \(error.status.rawValue) \(error.message)\(error.closeConnection ? " (close)" : "")"
            }
        }
    }

    @Test func beforeLoginACommandWithItsLiteralsFitsEightKilobytesLikeDovecotsImapLogin() throws {
        let harness = try Harness(authenticated: false)
        #expect(try harness.feed("a LOGIN {4000}\r\n") == ["+"])
        #expect(
            try harness.feed(String(repeating: "x", count: 4000) + " {9000}\r\n")
                == ["rejected:* BYE Literal size too large (close)"])
        let fresh = try Harness(authenticated: false)
        #expect(try fresh.feed("a LOGIN {62914560+}\r\n") == ["rejected:* BYE Literal size too large (close)"])
        // Once the session says the client logged in, the usual limits apply.
        let after = try Harness(authenticated: false)
        after.control.authenticated = true
        #expect(try after.feed("a APPEND INBOX {100000}\r\n") == ["+"])
    }

    @Test func pipelinedCommandsInOneRead() throws {
        let harness = try Harness()
        #expect(try harness.feed("a NOOP\r\nb CAPABILITY\r\nc LOG") == ["command:a NOOP\r\n", "command:b CAPABILITY\r\n"])
        #expect(try harness.feed("OUT\r\n") == ["command:c LOGOUT\r\n"])
    }

    @Test func synchronizingLiteralAsksForContinuationAndSurvivesSplitReads() throws {
        let harness = try Harness()
        #expect(try harness.feed("a LOGIN {4}\r\n") == ["+"])
        #expect(try harness.feed("fr", "ed {2}\r") == [])
        #expect(try harness.feed("\n") == ["+"])
        #expect(try harness.feed("pw", "\r\n") == ["command:a LOGIN {4}\r\nfred {2}\r\npw\r\n"])
    }

    @Test func literalDataWithLineFeedsAndNonSynchronizingLiterals() throws {
        let harness = try Harness()
        let append = "x APPEND INBOX {11+}\r\nline1\r\nl2\r\n {3+}\r\n{1}\r\n"
        let frames = try harness.feed(append + "y NOOP\r\n")
        #expect(frames == ["command:" + append, "command:y NOOP\r\n"])
        // The framed command parses, literals included.
        guard case .append(_, let messages) = try parse(append) else {
            Issue.record("not APPEND")
            return
        }
        #expect(messages.count == 2)
        #expect(messages[1].content == .literal(ByteBuffer(string: "{1}"), binary: false, utf8: false))
    }

    @Test func bytesArrivingOneAtATime() throws {
        let harness = try Harness()
        let command = "t1 APPEND INBOX (\\Seen) ~{5}\r\nab\u{0}\r\n\r\n"
        var frames: [String] = []
        for byte in command.utf8 { frames += try harness.feed(bytes: [byte]) }
        #expect(frames == ["+", "command:" + command])
    }

    @Test func oversizedLineIsRejectedWithTagAndSkipped() throws {
        let harness = try Harness(limits: IMAPFramingLimits(maxLineLength: 100))
        let long = "a7 SEARCH TEXT " + String(repeating: "x", count: 300)
        #expect(try harness.feed(String(long.prefix(150))) == ["rejected:a7 BAD Command line too long"])
        #expect(try harness.feed(String(long.dropFirst(150)), " more\r\nb NOOP\r\n") == ["command:b NOOP\r\n"])
        // A complete over-long line in one read.
        #expect(try harness.feed(long + "\r\nc NOOP\r\n") == ["rejected:a7 BAD Command line too long", "command:c NOOP\r\n"])
    }

    @Test func overlongLineEndingInNonSynchronizingLiteralSkipsTheLiteral() throws {
        let harness = try Harness(limits: IMAPFramingLimits(maxLineLength: 50))
        let long = "a1 APPEND " + String(repeating: "m", count: 80) + " {10+}\r\n0123456\r\n9\r\nb NOOP\r\n"
        #expect(try harness.feed(long) == ["rejected:a1 BAD Command line too long", "command:b NOOP\r\n"])
    }

    @Test func literalTooLargeIsRefusedWithoutContinuation() throws {
        let harness = try Harness(limits: IMAPFramingLimits(maxLiteralSize: 1000))
        #expect(try harness.feed("a APPEND INBOX {5000}\r\n") == ["rejected:a NO Literal larger than 1000 bytes"])
        // The client never sends the literal; the next command works.
        #expect(try harness.feed("b NOOP\r\n") == ["command:b NOOP\r\n"])
        // A non-synchronizing one is on its way: it is skipped with the rest of its command.
        let payload = String(repeating: "z", count: 5000)
        #expect(
            try harness.feed("c APPEND INBOX {5000+}\r\n", payload, " {3+}\r\nabc\r\nd NOOP\r\n")
                == ["rejected:c NO Literal larger than 1000 bytes", "command:d NOOP\r\n"])
    }

    @Test func literalMinusLimitsNonSynchronizingLiteralsTo4096() throws {
        let harness = try Harness(limits: IMAPFramingLimits(maxNonSynchronizingLiteralSize: 4096))
        let ok = "a APPEND INBOX {4096+}\r\n" + String(repeating: "o", count: 4096) + "\r\n"
        #expect(try harness.feed(ok) == ["command:" + ok])
        let big = "b APPEND INBOX {4097+}\r\n" + String(repeating: "o", count: 4097) + "\r\nc NOOP\r\n"
        #expect(try harness.feed(big) == ["rejected:b BAD Non-synchronizing literal larger than 4096 bytes (LITERAL-)", "command:c NOOP\r\n"])
        // Synchronizing literals above 4096 are still fine.
        #expect(try harness.feed("d APPEND INBOX {5000}\r\n") == ["+"])
    }

    @Test func hugeSkippedLiteralClosesTheConnection() throws {
        let harness = try Harness(limits: IMAPFramingLimits(maxLineLength: 20, maxSkippedLiteralSize: 1000))
        #expect(
            try harness.feed("a APPEND INBOX " + String(repeating: "x", count: 30) + " {99999999999+}\r\n")
                == ["rejected:a BAD Command line too long", "rejected:* BAD Literal too large to skip (close)"])
    }

    @Test func commandSizeCapsMultiAppend() throws {
        let harness = try Harness(limits: IMAPFramingLimits(maxLiteralSize: 100, maxCommandSize: 150))
        let first = "a APPEND INBOX {80+}\r\n" + String(repeating: "1", count: 80)
        #expect(try harness.feed(first + " {80}\r\n") == ["rejected:a NO Command larger than 150 bytes"])
        #expect(try harness.feed("b NOOP\r\n") == ["command:b NOOP\r\n"])
    }

    @Test func tooManyLiteralsInOneCommand() throws {
        let harness = try Harness(limits: IMAPFramingLimits(maxLiteralsPerCommand: 2))
        #expect(
            try harness.feed("a APPEND INBOX {1+}\r\nx {1+}\r\ny {1+}\r\nz\r\nb NOOP\r\n")
                == ["rejected:a BAD Too many literals in one command", "command:b NOOP\r\n"])
    }

    @Test func lineModeForIdleAndAuthenticate() throws {
        let harness = try Harness()
        #expect(try harness.feed("a IDLE\r\n") == ["command:a IDLE\r\n"])
        harness.control.mode = .line
        #expect(try harness.feed("DONE\r\n") == ["line:DONE"])
        #expect(try harness.feed("AGZyZWQAc2VjcmV0 {5}\n") == ["line:AGZyZWQAc2VjcmV0 {5}"])
        harness.control.mode = .command
        #expect(try harness.feed("b NOOP\r\n") == ["command:b NOOP\r\n"])
    }

    @Test func emptyLinesAreIgnored() throws {
        let harness = try Harness()
        #expect(try harness.feed("\r\n\na NOOP\r\n") == ["command:a NOOP\r\n"])
    }

    @Test func dataQueuedBehindStartTLSClosesTheConnection() throws {
        let harness = try Harness()
        #expect(try harness.feed("a STARTTLS\r\n") == ["command:a STARTTLS\r\n"])
        let injected = try Harness()
        #expect(try injected.feed("a STARTTLS\r\nb LOGIN x y\r\n") == ["rejected:a BAD Data after STARTTLS (close)"])
        let compressed = try Harness()
        #expect(try compressed.feed("z1 compress DEFLATE\r\n\u{1}\u{2}") == ["rejected:z1 BAD Data after COMPRESS (close)"])
    }
}
