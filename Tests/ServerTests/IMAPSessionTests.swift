import Auth
import Config
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import ObjectMail
import ObjectStore
import Testing

@testable import Server

/// The IMAP session itself on test channels, with real storage (a posix store) under a temporary directory:
/// its state transitions, and the rule that no EXPUNGE renumbers messages while a command uses sequence numbers.
@Suite final class IMAPSessionTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("imap-session-\(UUID().uuidString)").path
    let service: ProtocolService

    init() throws {
        let settings = try PasswdFileUsers.settings("jane@example.com:{PLAIN}secret::::::\n", in: root)
        let store = try PipelineRegistry.builtIn.makeStore("posix:\(root)/objects")
        let storage = MailStorage(
            configuration: StorageConfiguration(homeTemplate: "\(root)/home/%u"),
            logger: Logger(label: "test")
        ) { _ in store }
        service = .imap(authenticator: try Authenticator(settings: settings), storage: storage)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    @Test func commandsAreRefusedOutsideTheirStateAndEachStateIsLeftAsTheRFCSays() async throws {
        var client = try await IMAPTestClient(service)
        #expect(try await client.greeting().hasPrefix("* OK [CAPABILITY IMAP4rev1"))
        #expect(try await client.run("a SELECT INBOX") == ["a BAD SELECT: Not logged in."])
        #expect(try await client.run("b FETCH 1 FLAGS") == ["b BAD FETCH: Not logged in."])
        #expect(try await client.run("c LOGIN jane@example.com secret").last?.hasPrefix("c OK [CAPABILITY IMAP4rev1") == true)
        #expect(try await client.run("d LOGIN jane@example.com secret") == ["d BAD Already logged in."])
        #expect(try await client.run("e FETCH 1 FLAGS") == ["e BAD No mailbox selected."])
        #expect(try await client.run("f CHECK") == ["f BAD No mailbox selected."])
        #expect(try await client.run("g SELECT INBOX").last == "g OK [READ-WRITE] Select completed.")
        try await client.send("h IDLE")
        #expect(try await client.lines(1) == ["+ idling"])
        // In IDLE only DONE is read: anything else ends it with BAD.
        #expect(try await client.run("DONE", tag: "h") == ["h OK Idle completed."])
        #expect(try await client.run("i UNSELECT") == ["i OK Unselect completed."])
        #expect(try await client.run("j FETCH 1 FLAGS") == ["j BAD No mailbox selected."])
        #expect(try await client.run("k LOGOUT") == ["* BYE Logging out", "k OK Logout completed."])
        try await client.waitUntilClosed()
    }

    @Test func authenticateWaitsForTheResponseLineThenLogsIn() async throws {
        var client = try await IMAPTestClient(service)
        _ = try await client.greeting()
        try await client.send("a AUTHENTICATE PLAIN")
        #expect(try await client.lines(1) == ["+ "])
        let response = Data("\0jane@example.com\0secret".utf8).base64EncodedString()
        #expect(try await client.run(response, tag: "a").last?.hasPrefix("a OK [CAPABILITY IMAP4rev1") == true)
        #expect(try await client.run("b AUTHENTICATE PLAIN") == ["b BAD Already logged in."])
    }

    @Test func expungesWaitWhileACommandUsesSequenceNumbers() async throws {
        var writer = try await IMAPTestClient(service)
        var reader = try await IMAPTestClient(service)
        _ = try await writer.greeting()
        _ = try await reader.greeting()
        _ = try await writer.run("a LOGIN jane@example.com secret")
        for number in 1...3 {
            let message = "Subject: \(number)\r\n\r\nbody \(number)\r\n"
            #expect(try await writer.run("b APPEND INBOX {\(message.utf8.count)+}\r\n\(message)").last?.hasPrefix("b OK") == true)
        }
        _ = try await reader.run("a LOGIN jane@example.com secret")
        #expect(try await reader.run("b SELECT INBOX").contains("* 3 EXISTS"))
        _ = try await writer.run("c SELECT INBOX")
        _ = try await writer.run("d STORE 2 +FLAGS.SILENT (\\Deleted)")
        #expect(try await writer.run("e EXPUNGE") == ["* 2 EXPUNGE", "e OK Expunge completed."])

        // FETCH, STORE and SEARCH by sequence number: message 3 is still number 3, no EXPUNGE.
        let fetch = try await reader.run("c FETCH 1:3 (UID)")
        #expect(fetch.filter { $0.hasSuffix("EXPUNGE") }.isEmpty)
        #expect(fetch.contains("* 3 FETCH (UID 3)") && fetch.last?.hasPrefix("c OK") == true)
        let search = try await reader.run("e SEARCH ALL")
        #expect(search.filter { $0.hasSuffix("EXPUNGE") }.isEmpty && search.last?.hasPrefix("e OK") == true)
        // A UID command may renumber: the EXPUNGE goes out with it.
        let uidFetch = try await reader.run("f UID FETCH 1:* (FLAGS)")
        #expect(uidFetch.contains("* 2 EXPUNGE"))
        #expect(uidFetch.last?.hasPrefix("f OK") == true)
        #expect(try await reader.run("g NOOP") == ["g OK NOOP completed."])
    }
}

/// A client on a test channel carrying one IMAP connection: send lines, read response lines.
struct IMAPTestClient {
    let channel: NIOAsyncTestingChannel
    var received = ""

    init(_ service: ProtocolService) async throws {
        let connection = ConnectionContext(sessionID: "TESTSESSION00001", logger: Logger(label: "test"), remoteAddress: nil, localAddress: nil)
        // The pipeline is built on the channel's event loop, as a listener does; the future is completed at once.
        channel = try await NIOAsyncTestingChannel { channel in
            service.initializeConnection(channel, connection).whenFailure { Issue.record($0) }
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 143)).get()
    }

    func send(_ line: String) async throws {
        try await channel.writeInbound(ByteBuffer(string: line + "\r\n"))
    }

    /// The next `count` lines, without their CRLF.
    mutating func lines(_ count: Int) async throws -> [String] {
        var lines: [String] = []
        while lines.count < count {
            if let end = received.range(of: "\r\n") {
                lines.append(String(received[..<end.lowerBound]))
                received.removeSubrange(..<end.upperBound)
                continue
            }
            var buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            received += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return lines
    }

    mutating func greeting() async throws -> String { try await lines(1)[0] }

    /// Sends `line` and returns every line up to and including the tagged answer (`tag`, by default the line's first word).
    mutating func run(_ line: String, tag: String? = nil) async throws -> [String] {
        try await send(line)
        let tag = tag ?? String(line.prefix { $0 != " " })
        var answer: [String] = []
        while true {
            let next = try await lines(1)[0]
            answer.append(next)
            if next.hasPrefix(tag + " ") { return answer }
        }
    }

    func waitUntilClosed() async throws {
        try await channel.closeFuture.get()
    }
}
