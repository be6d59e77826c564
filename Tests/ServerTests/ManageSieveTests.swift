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

/// ManageSieve's framing of quoted strings and literals, its command parsing, and the session on a test channel with
/// real storage (a posix store under a temporary directory).
@Suite final class ManageSieveTests {
    // MARK: Framing

    func frames(_ chunks: [String], maxLineLength: Int = 64, maxLiteralSize: Int = 100) -> [ManageSieveFrame] {
        var framer = ManageSieveFramer(maxLineLength: maxLineLength, maxLiteralSize: maxLiteralSize)
        var buffer = ByteBuffer()
        var frames: [ManageSieveFrame] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let frame = framer.nextFrame(&buffer) { frames.append(frame) }
        }
        return frames
    }

    @Test func wordsQuotedStringsAndEscapes() {
        #expect(
            frames(["NOOP\r\nPUTSCRIPT \"a \\\"b\\\\\" \"keep;\"\r\n"]) == [
                .command([.atom("NOOP")]), .command([.atom("PUTSCRIPT"), .string("a \"b\\"), .string("keep;")])
            ])
        #expect(frames(["HAVESPACE \"x\" 100\n"]) == [.command([.atom("HAVESPACE"), .string("x"), .atom("100")])])
    }

    @Test func literalsOfEitherFormArriveInPiecesAndKeepTheirLineBreaks() {
        #expect(
            frames(["PUTSCRIPT \"s\" {12+}\r\nkeep;", "\r\nstop;", "\r\nNOOP\r\n"]) == [
                .command([.atom("PUTSCRIPT"), .string("s"), .string("keep;\r\nstop;")]), .command([.atom("NOOP")])
            ])
        #expect(frames(["CHECKSCRIPT {5}\r\nkeep;\r\n"]) == [.command([.atom("CHECKSCRIPT"), .string("keep;")])])
        #expect(frames(["X {0+}\r\n\r\n"]) == [.command([.atom("X"), .string("")])])
        // A literal may be followed by more arguments, even another literal.
        #expect(
            frames(["RENAMESCRIPT {1+}\r\na {1+}\r\nb\r\n"]) == [.command([.atom("RENAMESCRIPT"), .string("a"), .string("b")])])
    }

    @Test func overLongLinesAndLiteralsAreDroppedAndReportedOnce() {
        let long = String(repeating: "x", count: 100)
        #expect(frames(["NOOP \(long)", "\(long)\r\nNOOP\r\n"]) == [.tooLong, .command([.atom("NOOP")])])
        let script = String(repeating: "#", count: 300)
        #expect(
            frames(["PUTSCRIPT \"s\" {300+}\r\n", script.prefix(150) + "", script.suffix(150) + "\r\nNOOP\r\n"]) == [
                .literalTooLarge(size: 300, tokens: [.atom("PUTSCRIPT"), .string("s")]), .command([.atom("NOOP")])
            ])
    }

    @Test func malformedLines() {
        #expect(frames(["NOOP \"open\r\n"]) == [.malformed("Missing '\"'.")])
        #expect(frames(["X {12a}\r\n"]) == [.malformed("Invalid literal size.")])
        #expect(frames(["X \"\\n\"\r\n"]) == [.malformed("Invalid escape in quoted string.")])
    }

    // MARK: Commands

    @Test func commandsAndTheirArguments() throws {
        func parse(_ tokens: [ManageSieveToken]) throws -> ManageSieveCommand { try ManageSieveCommandParser.parse(tokens) }
        #expect(try parse([.atom("authenticate"), .string("PLAIN")]) == .authenticate(mechanism: "PLAIN", initialResponse: nil))
        #expect(try parse([.atom("AUTHENTICATE"), .string("PLAIN"), .string("AGE=")]) == .authenticate(mechanism: "PLAIN", initialResponse: "AGE="))
        #expect(try parse([.atom("HAVESPACE"), .string("a"), .atom("42")]) == .haveSpace(name: "a", size: 42))
        #expect(try parse([.atom("NOOP"), .string("t")]) == .noop(tag: "t"))
        #expect(try parse([.atom("SETACTIVE"), .string("")]) == .setActive(name: ""))
        #expect(throws: ManageSieveParseError(message: "Error in MANAGESIEVE command PUTSCRIPT: Invalid arguments.")) {
            try parse([.atom("PUTSCRIPT"), .atom("a"), .atom("b")])
        }
        #expect(throws: ManageSieveParseError(message: "Error in MANAGESIEVE command PUTSCRIPT: Missing arguments.")) {
            try parse([.atom("PUTSCRIPT")])
        }
        #expect(throws: ManageSieveParseError.self) { try parse([.atom("HAVESPACE"), .string("a"), .atom("-1")]) }
        #expect(throws: ManageSieveParseError.self) { try parse([.atom("FOO")]) }
        #expect(throws: ManageSieveParseError.self) { try parse([]) }
    }

    // MARK: Session

    let root = FileManager.default.temporaryDirectory.appendingPathComponent("managesieve-\(UUID().uuidString)").path

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func service(_ configuration: ManageSieveConfiguration) throws -> ProtocolService {
        let settings = try PasswdFileUsers.settings("jane@example.com:{PLAIN}secret::::::\n", in: root)
        let store = try PipelineRegistry.builtIn.makeStore("posix:\(root)/objects")
        let storage = MailStorage(
            configuration: StorageConfiguration(homeTemplate: "\(root)/home/%u"), logger: Logger(label: "test")
        ) { _ in store }
        return .manageSieve(authenticator: try Authenticator(settings: settings), storage: storage, configuration: configuration)
    }

    @Test func aSessionFromGreetingToLogout() async throws {
        var client = try await IMAPTestClient(try service(try ManageSieveConfiguration(maxScripts: 1)))
        let greeting = try await client.lines(5)
        #expect(greeting.first == "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"")
        #expect(greeting.contains { $0.hasPrefix("\"SASL\" \"PLAIN") } && greeting.last == "OK \"ObjectMail ready.\"")
        try await client.send("AUTHENTICATE \"PLAIN\"")
        #expect(try await client.lines(1) == ["\"\""])
        try await client.send("\"" + Data("\0jane@example.com\0secret".utf8).base64EncodedString() + "\"")
        #expect(try await client.lines(1) == ["OK \"Logged in.\""])
        try await client.send("PUTSCRIPT \"one\" {15+}\r\nkeep;\r\ndiscard;")
        #expect(try await client.lines(1) == ["OK \"PUTSCRIPT completed.\""])
        try await client.send("PUTSCRIPT \"two\" \"keep;\"")
        #expect(try await client.lines(1) == ["NO (QUOTA/MAXSCRIPTS) \"Script count quota exceeded (max 1 scripts).\""])
        try await client.send("SETACTIVE \"one\"")
        #expect(try await client.lines(1) == ["OK \"Setactive completed.\""])
        try await client.send("GETSCRIPT \"one\"")
        #expect(try await client.lines(4) == ["{15}", "keep;", "discard;", "OK \"Getscript completed.\""])
        try await client.send("RENAMESCRIPT \"one\" \"uno\"")
        #expect(try await client.lines(1) == ["OK \"Renamescript completed.\""])
        try await client.send("LISTSCRIPTS")
        #expect(try await client.lines(2) == ["\"uno\" ACTIVE", "OK \"Listscripts completed.\""])
        try await client.send("DELETESCRIPT \"uno\"")
        #expect(try await client.lines(1) == ["NO (ACTIVE) \"Cannot delete the active Sieve script.\""])
        try await client.send("LOGOUT")
        #expect(try await client.lines(1) == ["OK \"Logout completed.\""])
        try await client.waitUntilClosed()
    }
}
