import Foundation
import NIOCore
import Testing

@testable import Server

@Suite(.timeLimit(.minutes(1)))
struct LMTPSessionTests {
    let users: Set<String> = ["jane@example.com", "joe@example.com"]

    @Test func greetingAndLHLOAnnounceTheCapabilities() async throws {
        var session = try await LMTPTestSession(
            backend: RecordingBackend(users: users),
            configuration: LMTPConfiguration(hostname: "mx.test", maxMessageSize: 1000))
        #expect(try await session.reply() == "220 mx.test ObjectMail ready.")
        try await session.send("LHLO client.test\r\n")
        let lhlo = try await session.reply()
        #expect(
            lhlo
                == [
                    "250-mx.test", "250-8BITMIME", "250-CHUNKING", "250-ENHANCEDSTATUSCODES", "250-PIPELINING",
                    "250-SIZE 1000", "250 SMTPUTF8"
                ].joined(separator: "\n"))
    }

    @Test func pipelinedTransactionGetsOneReplyPerCommandAndPerRecipientInOrder() async throws {
        let backend = RecordingBackend(users: users)
        var session = try await LMTPTestSession(backend: backend)
        _ = try await session.reply()
        try await session.send(
            "LHLO c\r\nMAIL FROM:<s@x.org> BODY=8BITMIME SIZE=20 SMTPUTF8\r\nRCPT TO:<jane@example.com>\r\n"
                + "RCPT TO:<nobody@example.com>\r\nRCPT TO:<joe+lists@example.com>\r\nDATA\r\n"
                + "Subject: hi\r\n\r\nbody\r\n.\r\nNOOP\r\n")
        let replies = try await session.replies(8)
        #expect(replies[0].hasPrefix("250-"))
        #expect(
            Array(replies[1...]) == [
                "250 2.1.0 OK", "250 2.1.5 OK", "550 5.1.1 <nobody@example.com> User doesn't exist: nobody@example.com",
                "250 2.1.5 OK", "354 OK",
                "250 2.0.0 <jane@example.com> TESTSESSION00001 Saved", "250 2.0.0 <joe+lists@example.com> TESTSESSION00001 Saved"
            ])
        #expect(try await session.reply() == "250 2.0.0 OK")
        let message = try #require(backend.messages.first)
        #expect(message.mailFrom == "s@x.org")
        #expect(message.recipients.map(\.address) == ["jane@example.com", "joe+lists@example.com"])
        #expect(message.recipients[1].user == "joe@example.com" && message.recipients[1].detail == "lists")
        #expect(message.bytes == Array("Subject: hi\r\n\r\nbody\r\n".utf8))
    }

    @Test func dataIsDotUnstuffedAndBareLineFeedsBecomeCRLF() async throws {
        let backend = RecordingBackend(users: users)
        var session = try await LMTPTestSession(backend: backend)
        try await session.greet()
        try await session.send("MAIL FROM:<>\r\nRCPT TO:<jane@example.com>\r\nDATA\r\n")
        #expect(try await session.replies(3).codes == ["250 2.1.0", "250 2.1.5", "354 OK"])
        // Sent in pieces that split lines and the terminating dot.
        for piece in ["..leading dot\n.", "..two dots\r\nbare lf\nlast line\r", "\n.", "\r", "\n"] {
            try await session.send(piece)
        }
        #expect(try await session.reply().hasPrefix("250 2.0.0 <jane@example.com>"))
        #expect(backend.messages.first?.bytes == Array(".leading dot\r\n..two dots\r\nbare lf\r\nlast line\r\n".utf8))
        #expect(backend.messages.first?.mailFrom == "")
    }

    @Test func bdatChunksIncludingAnEmptyLastChunk() async throws {
        let backend = RecordingBackend(users: users)
        var session = try await LMTPTestSession(backend: backend)
        try await session.greet()
        try await session.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nRCPT TO:<joe@example.com>\r\nBDAT 7\r\nline\r\n.BDAT 4 LAST\r\nmore")
        let replies = try await session.replies(6)
        #expect(replies.codes == ["250 2.1.0", "250 2.1.5", "250 2.1.5", "250 2.0.0", "250 2.0.0", "250 2.0.0"])
        #expect(replies[3] == "250 2.0.0 7 octets received")
        #expect(backend.messages.first?.bytes == Array("line\r\n.more".utf8)) // BDAT data is never unstuffed

        try await session.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nBDAT 3\r\nabcBDAT 0 LAST\r\n")
        #expect(try await session.replies(4).codes == ["250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.0.0"])
        #expect(backend.messages.last?.bytes == Array("abc".utf8))
        try await session.send("DATA\r\n")
        #expect(try await session.reply() == "503 5.5.1 MAIL needed first")

        try await session.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nBDAT 1\r\nxRCPT TO:<joe@example.com>\r\nDATA\r\n")
        #expect(
            try await session.replies(5) == [
                "250 2.1.0 OK", "250 2.1.5 OK", "250 2.0.0 1 octets received",
                "503 5.5.1 RCPT after BDAT", "503 5.5.1 DATA cannot be used with BDAT"
            ])
    }

    @Test func messageSizeLimits() async throws {
        let backend = RecordingBackend(users: users)
        var session = try await LMTPTestSession(backend: backend, configuration: LMTPConfiguration(hostname: "mx", maxMessageSize: 64))
        try await session.greet()
        try await session.send("MAIL FROM:<a@b> SIZE=65\r\n")
        #expect(try await session.reply() == "552 5.3.4 Message too big for system")
        try await session.send("MAIL FROM:<a@b> SIZE=64\r\nRCPT TO:<jane@example.com>\r\nRCPT TO:<joe@example.com>\r\nDATA\r\n")
        #expect(try await session.replies(4).codes == ["250 2.1.0", "250 2.1.5", "250 2.1.5", "354 OK"])
        try await session.send(String(repeating: "0123456789", count: 5) + "\r\n" + String(repeating: "x", count: 200) + "\r\n.\r\n")
        #expect(try await session.replies(2) == Array(repeating: "552 5.3.4 Message too big for system", count: 2))
        #expect(backend.messages.isEmpty)

        try await session.send(
            "MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nBDAT 40\r\n" + String(repeating: "y", count: 40)
                + "BDAT 40 LAST\r\n" + String(repeating: "z", count: 40) + "NOOP\r\n")
        #expect(try await session.replies(5).codes == ["250 2.1.0", "250 2.1.5", "250 2.0.0", "552 5.3.4", "250 2.0.0"])
        #expect(backend.messages.isEmpty)
    }

    @Test func overLongCommandLineIsRefusedAndTheSessionGoesOn() async throws {
        var session = try await LMTPTestSession(
            backend: RecordingBackend(users: users),
            configuration: LMTPConfiguration(hostname: "mx", maxCommandLine: 100))
        try await session.greet()
        try await session.send("NOOP " + String(repeating: "a", count: 150))
        try await session.send(String(repeating: "b", count: 150) + "\r\nNOOP\r\n")
        #expect(try await session.replies(2) == ["500 5.5.2 Line too long", "250 2.0.0 OK"])
    }

    @Test func commandsOutOfSequenceGet503() async throws {
        var session = try await LMTPTestSession(backend: RecordingBackend(users: users))
        _ = try await session.reply()
        try await session.send(
            "MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nDATA\r\nLHLO c\r\nMAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\n"
                + "DATA\r\nBDAT 5\r\nxxxxxNOOP\r\nEHLO c\r\n")
        let replies = try await session.replies(10)
        #expect(replies[0] == "503 5.5.1 LHLO first")
        #expect(replies[1] == "503 5.5.1 MAIL needed first")
        #expect(replies[2] == "503 5.5.1 MAIL needed first")
        #expect(replies[3].hasPrefix("250-"))
        #expect(
            Array(replies[4...]) == [
                "250 2.1.0 OK", "503 5.5.1 MAIL already given", "503 5.5.1 No valid recipients",
                "503 5.5.1 No valid recipients", "250 2.0.0 OK", "500 5.5.1 Unknown command"
            ])
    }

    @Test func rsetForgetsTheTransaction() async throws {
        let backend = RecordingBackend(users: users)
        var session = try await LMTPTestSession(backend: backend)
        try await session.greet()
        try await session.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nRSET\r\nDATA\r\nRCPT TO:<jane@example.com>\r\nMAIL FROM:<c@d>\r\n")
        #expect(try await session.replies(6).codes == ["250 2.1.0", "250 2.1.5", "250 2.0.0", "503 5.5.1", "503 5.5.1", "250 2.1.0"])
        #expect(backend.messages.isEmpty)
    }

    @Test func temporaryFailuresAndOtherCommands() async throws {
        let backend = RecordingBackend(users: users, unavailable: ["down@example.com"], failingStores: ["joe@example.com"])
        var session = try await LMTPTestSession(backend: backend)
        try await session.greet()
        try await session.send(
            "VRFY jane\r\nMAIL FROM:<a@b> NOTIFY=NEVER\r\nMAIL FROM:<a@b> BODY=BINARYMIME\r\nMAIL FROM:a@b\r\n"
                + "MAIL FROM:<a@b>\r\nRCPT TO:<down@example.com>\r\nRCPT TO:<jane@example.com> NOTIFY=NEVER\r\n"
                + "RCPT TO:<jane@example.com> ORCPT=rfc822;jane+x@example.com\r\nRCPT TO:<joe@example.com>\r\n"
                + "DATA\r\nx\r\n.\r\nQUIT\r\n")
        let replies = try await session.replies(13)
        #expect(
            replies == [
                "252 2.3.3 Try RCPT instead", "555 5.5.4 Unsupported parameter NOTIFY", "501 5.5.4 Unsupported BODY parameter",
                "501 5.5.4 Invalid FROM: syntax", "250 2.1.0 OK", "451 4.3.0 <down@example.com> Temporary internal error",
                "555 5.5.4 Unsupported parameter NOTIFY", "250 2.1.5 OK", "250 2.1.5 OK", "354 OK",
                "250 2.0.0 <jane@example.com> TESTSESSION00001 Saved", "451 4.3.0 <joe@example.com> Temporary failure",
                "221 2.0.0 mx.test Bye"
            ])
        #expect(backend.messages.first?.recipients.first?.originalRecipient == "jane+x@example.com")
        try await session.channel.closeFuture.get()
    }
}

@Suite(.timeLimit(.minutes(1)))
struct LMTPShutdownTests {
    @Test func idleSessionIsClosedAtOnceAndAnOpenTransactionFinishesFirst() async throws {
        var idle = try await LMTPTestSession(backend: RecordingBackend(users: ["jane@example.com"]))
        try await idle.greet()
        idle.channel.pipeline.fireUserInboundEventTriggered(ServerShutdownEvent())
        #expect(try await idle.reply() == "421 4.3.2 mx.test Shutting down")
        try await idle.channel.closeFuture.get()

        var busy = try await LMTPTestSession(backend: RecordingBackend(users: ["jane@example.com"]))
        try await busy.greet()
        try await busy.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\n")
        #expect(try await busy.replies(2).codes == ["250 2.1.0", "250 2.1.5"])
        busy.channel.pipeline.fireUserInboundEventTriggered(ServerShutdownEvent())
        try await busy.send("DATA\r\nhello\r\n.\r\n")
        #expect(try await busy.replies(3).codes == ["354 OK", "250 2.0.0", "421 4.3.2"])
        try await busy.channel.closeFuture.get()
        #expect((busy.backend as? RecordingBackend)?.messages.count == 1)
    }
}

@Suite struct LMTPParsingTests {
    @Test func paths() {
        #expect(LMTPCommand.parse("MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME") == .mail(from: "a@b", parameters: ["SIZE": "10", "BODY": "8BITMIME"]))
        #expect(LMTPCommand.parse("mail from: <>") == .mail(from: "", parameters: [:]))
        #expect(LMTPCommand.parse("RCPT TO:<\"odd>name\"@example.com>") == .rcpt(to: "\"odd>name\"@example.com", parameters: [:]))
        #expect(LMTPCommand.parse("RCPT TO:<@relay.example:jane@example.com>") == .rcpt(to: "jane@example.com", parameters: [:]))
        #expect(LMTPCommand.parse("RCPT TO:<>") == .syntaxError("Invalid TO: syntax"))
        #expect(LMTPCommand.parse("BDAT 10 last") == .bdat(size: 10, last: true))
        #expect(LMTPCommand.parse("BDAT x") == .syntaxError("Invalid BDAT size"))
        #expect("rfc822;a+2Bb@c".xtextDecoded == "rfc822;a+b@c")
    }

    @Test func recipientDetails() {
        let configuration = LMTPConfiguration(recipientDelimiter: "+-")
        #expect(configuration.splitDetail("jane+lists@example.com") == ("jane@example.com", "lists"))
        #expect(configuration.splitDetail("jane-a+b@example.com") == ("jane@example.com", "a+b"))
        #expect(configuration.splitDetail("jane@example.com") == ("jane@example.com", nil))
        #expect(LMTPConfiguration(recipientDelimiter: "").splitDetail("a+b@c") == ("a+b@c", nil))
    }

    @Test func deliveryHeaders() {
        let headers = DeliveryHeaders(configuration: LMTPConfiguration(hostname: "mx.test", originalRecipientHeader: "X-Original-To"))
        let recipient = LMTPRecipient(address: "jane+x@example.com", user: "jane@example.com", detail: "x")
        let text = String(
            decoding: headers.header(
                for: recipient, mailFrom: "s@x.org",
                session: LMTPSessionInfo(id: "ID", helo: "relay", remoteIP: "127.0.0.1"),
                date: .init(timeIntervalSince1970: 0)), as: UTF8.self)
        #expect(
            text == "Return-Path: <s@x.org>\r\nDelivered-To: jane+x@example.com\r\nX-Original-To: jane+x@example.com\r\n"
                + "Received: from relay ([127.0.0.1])\r\n\tby mx.test with LMTP\r\n\tid ID\r\n\t(envelope-from <s@x.org>)\r\n"
                + "\tfor <jane+x@example.com>; Thu, 01 Jan 1970 00:00:00 +0000\r\n")
        #expect(DeliveryHeaders.messageID(in: Array("Subject: a\r\nMESSAGE-ID:  <x@y>\r\n\r\nMessage-ID: <no>\r\n".utf8)) == "<x@y>")
    }
}

@Suite(.timeLimit(.minutes(1)))
struct LMTPSessionFramingTests {
    let users: Set<String> = ["jane@example.com"]

    @Test func aRefusedDataIsFollowedByCommandsAndAnAcceptedOneByItsBody() async throws {
        let backend = RecordingBackend(users: users)
        var session = try await LMTPTestSession(backend: backend)
        try await session.greet()
        // Pipelined in one write: the lines after the refused DATA are commands, those after the accepted one body.
        try await session.send(
            "MAIL FROM:<a@b>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\nNOOP\r\n.\r\nRSET\r\n"
                + "MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nDATA\r\nNOOP\r\n.\r\nVRFY x\r\n")
        #expect(
            try await session.replies(11) == [
                "250 2.1.0 OK", "550 5.1.1 <nobody@example.com> User doesn't exist: nobody@example.com",
                "503 5.5.1 No valid recipients", "250 2.0.0 OK", "500 5.5.1 Unknown command", "250 2.0.0 OK",
                "250 2.1.0 OK", "250 2.1.5 OK", "354 OK", "250 2.0.0 <jane@example.com> TESTSESSION00001 Saved",
                "252 2.3.3 Try RCPT instead"
            ])
        #expect(backend.messages.map(\.bytes) == [Array("NOOP\r\n".utf8)])
    }

    @Test func aRefusedBdatChunkIsReadAsBytesThenAnswered() async throws {
        let backend = RecordingBackend(users: users)
        var session = try await LMTPTestSession(backend: backend)
        try await session.greet()
        try await session.send("BDAT 6\r\nNOOP\r\nMAIL FROM:<a@b>\r\nBDAT 6 LAST\r\nQUIT\r\nNOOP\r\n")
        #expect(
            try await session.replies(4) == [
                "503 5.5.1 MAIL needed first", "250 2.1.0 OK", "503 5.5.1 No valid recipients", "250 2.0.0 OK"
            ])
        #expect(backend.messages.isEmpty)
    }

    @Test func aBodyOverTheSpoolThresholdGoesToTheSpoolFile() async throws {
        let backend = RecordingBackend(users: users)
        var configuration = LMTPConfiguration(hostname: "mx.test")
        configuration.spool.threshold = 64
        configuration.spool.directory = FileManager.default.temporaryDirectory.path
        var session = try await LMTPTestSession(backend: backend, configuration: configuration)
        try await session.greet()
        let line = String(repeating: "z", count: 30) + "\r\n"
        try await session.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nDATA\r\n")
        #expect(try await session.replies(3).codes == ["250 2.1.0", "250 2.1.5", "354 OK"])
        try await session.send(String(repeating: line, count: 10) + ".\r\n")
        #expect(try await session.reply().hasPrefix("250 2.0.0 <jane@example.com>"))
        let message = try #require(backend.messages.first)
        let spool = try #require(message.spool)
        #expect(message.bytes.isEmpty && spool.size == Int64(10 * line.utf8.count))

        try await session.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\nBDAT 100\r\n" + String(repeating: "y", count: 100))
        try await session.send("BDAT 20 LAST\r\n" + String(repeating: "w", count: 20))
        #expect(try await session.replies(4).codes == ["250 2.1.0", "250 2.1.5", "250 2.0.0", "250 2.0.0"])
        #expect(backend.messages.last?.spool?.size == 120)
    }
}

/// A backend whose lookups wait until the test lets them go.
final class GatedBackend: LMTPBackend {
    let inner = RecordingBackend(users: ["jane@example.com"])
    let (gate, opener) = AsyncStream<Void>.makeStream()
    let lookupStarted = AsyncStream<Void>.makeStream()

    func resolveRecipient(_ address: String, originalRecipient: String?, session: LMTPSessionInfo) async -> RecipientLookup {
        lookupStarted.continuation.yield()
        for await _ in gate { break }
        return await inner.resolveRecipient(address, originalRecipient: originalRecipient, session: session)
    }

    func deliver(_ message: LMTPMessage, session: LMTPSessionInfo) async -> [LMTPReply] {
        await inner.deliver(message, session: session)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct LMTPIdleTimeoutTests {
    /// The read timeout as `IdleStateHandler` reports it (it measures real time, so the test sends its event).
    func readTimeout(_ session: LMTPTestSession) async {
        session.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        await session.channel.testingEventLoop.run()
    }

    @Test func aSilentClientIsDisconnectedButNotWhileALookupRuns() async throws {
        let backend = GatedBackend()
        var session = try await LMTPTestSession(backend: backend)
        try await session.greet()
        try await session.send("MAIL FROM:<a@b>\r\nRCPT TO:<jane@example.com>\r\n")
        // Work the session queued from the loop itself runs when the test loop is run.
        await session.channel.testingEventLoop.run()
        for await _ in backend.lookupStarted.stream { break }
        // The client waits for the lookup, which takes longer than the timeout: no 421 for that.
        await readTimeout(session)
        backend.opener.yield()
        #expect(try await session.replies(2) == ["250 2.1.0 OK", "250 2.1.5 OK"])
        try await session.send("NOOP\r\n")
        #expect(try await session.reply() == "250 2.0.0 OK")
        await readTimeout(session)
        #expect(try await session.reply() == "421 4.4.2 mx.test Disconnected for inactivity")
        try await session.channel.closeFuture.get()
    }
}
