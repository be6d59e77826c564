import Config
import Foundation
import MIME
import MetaCache
import NIOCore
import NIOEmbedded
import ObjectMail
import Testing

@testable import Server

/// The storage-free parts of the POP3 server: framing, command parsing, dot-stuffing, UIDL formats,
/// SASL steps and settings.
@Suite struct POP3ProtocolTests {
    // MARK: Framing

    func frames(_ chunks: [String], maxLineLength: Int = 64) -> [LineFrame] {
        var framer = LineFramer(maxLineLength: maxLineLength)
        var buffer = ByteBuffer()
        var frames: [LineFrame] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let frame = framer.nextFrame(&buffer) { frames.append(frame) }
        }
        return frames
    }

    @Test func linesEndWithCRLFOrLFAndMayArriveInPieces() {
        #expect(frames(["US", "ER a\r", "\nSTAT\nNOOP\r\n"]) == [.line("USER a"), .line("STAT"), .line("NOOP")])
    }

    @Test func overLongLinesAreDroppedAndReportedOnce() {
        let long = String(repeating: "x", count: 100)
        #expect(frames(["STAT\r\n" + long, long + "\r\nNOOP\r\n"]) == [.line("STAT"), .tooLong, .line("NOOP")])
        #expect(frames([long + "\r\n"]) == [.tooLong])
    }

    // MARK: Commands

    @Test func commandsAreCaseInsensitiveWithTheirArguments() throws {
        #expect(try POP3CommandParser.parse("stat") == .stat)
        #expect(try POP3CommandParser.parse("List") == .list(nil))
        #expect(try POP3CommandParser.parse("LIST 3") == .list(3))
        #expect(try POP3CommandParser.parse("uidl 12") == .uidl(12))
        #expect(try POP3CommandParser.parse("TOP 2 0") == .top(2, lines: 0))
        #expect(try POP3CommandParser.parse("RETR 1") == .retr(1))
        #expect(try POP3CommandParser.parse("DELE 9") == .dele(9))
        #expect(try POP3CommandParser.parse("PASS pass word with spaces") == .pass("pass word with spaces"))
        #expect(try POP3CommandParser.parse("USER jane@example.com") == .user("jane@example.com"))
        #expect(try POP3CommandParser.parse("AUTH") == .auth(mechanism: nil, initialResponse: nil))
        #expect(try POP3CommandParser.parse("AUTH PLAIN AGphbmUAc2VjcmV0") == .auth(mechanism: "PLAIN", initialResponse: "AGphbmUAc2VjcmV0"))
        #expect(try POP3CommandParser.parse("APOP jane c4c9334bac560ecc979e58001b3e22fb") == .apop(user: "jane", digest: "c4c9334bac560ecc979e58001b3e22fb"))
        #expect(try POP3CommandParser.parse("TOP 1 99999999999999999999999") == .top(1, lines: Int.max))
    }

    @Test(arguments: [
        "RETR", "RETR x", "RETR -1", "RETR +1", "RETR 1 2", "DELE", "LIST 1 2", "TOP 1", "TOP 1 -2",
        "STAT 1", "QUIT now", "USER", "RETR 99999999999", "XYZZY", "", "LAST 1"
    ])
    func badCommandsAreRefused(_ line: String) {
        #expect(throws: POP3ParseError.self) { try POP3CommandParser.parse(line) }
    }

    // MARK: Dot-stuffing

    func written(_ message: String, bodyLines: Int? = nil, workarounds: Set<POP3Configuration.ClientWorkaround> = []) -> (String, Int) {
        var buffer = ByteBuffer()
        let count = POP3MessageWriter(workarounds: workarounds).write(Array(message.utf8), bodyLines: bodyLines, into: &buffer)
        return (String(buffer: buffer), count)
    }

    @Test func retrNormalisesLineEndsAndStuffsDots() {
        let (text, octets) = written("Subject: x\n\n.leading dot\r\n..two\nlast")
        #expect(text == "Subject: x\r\n\r\n..leading dot\r\n...two\r\nlast\r\n.\r\n")
        // The octets of the message with CRLF line ends, without stuffing or terminator (RFC 1939 §11).
        #expect(octets == "Subject: x\r\n\r\n.leading dot\r\n..two\r\nlast".utf8.count)
    }

    @Test func sizeMatchesTheIndexVirtualSize() {
        let message = "From: a@example.com\nSubject: s\n\nbody\n.\nmore\r\nend\n"
        // The index stores the MIME parser's virtual size; LIST announces it and RETR must send exactly that.
        #expect(written(message).1 == MessageStructure.parse(Array(message.utf8)).virtualSize)
    }

    @Test func topSendsTheHeaderAndTheFirstLines() {
        let message = "A: 1\r\nB: 2\r\n\r\none\r\n.two\r\nthree\r\n"
        #expect(written(message, bodyLines: 0).0 == "A: 1\r\nB: 2\r\n\r\n.\r\n")
        #expect(written(message, bodyLines: 2).0 == "A: 1\r\nB: 2\r\n\r\none\r\n..two\r\n.\r\n")
        #expect(written(message, bodyLines: 10).0 == written(message).0)
    }

    @Test func workarounds() {
        #expect(written("A: \u{0}x\r\n\r\nb\u{0}\r\n", workarounds: [.outlookNoNuls]).0.utf8.contains(0) == false)
        #expect(written("A: \u{0}x\r\n\r\nb\r\n").0.utf8.contains(0))
        #expect(written("A: 1\r\nB: 2\r\n", workarounds: [.oeNsEoh]).0 == "A: 1\r\nB: 2\r\n\r\n.\r\n")
        #expect(written("A: 1\r\nB: 2\r\n").0 == "A: 1\r\nB: 2\r\n.\r\n")
    }

    @Test func headersAndXUIDL() {
        let message = Array("Subject: s\r\nX-UIDL: abc123\r\n\r\nbody\r\n".utf8)
        let header = POP3MessageWriter.header(of: message)
        #expect(String(decoding: header, as: UTF8.self) == "Subject: s\r\nX-UIDL: abc123\r\n\r\n")
        #expect(POP3MessageWriter.xUIDL(in: header) == "abc123")
        #expect(POP3MessageWriter.xUIDL(in: Array("X-UIDL: has space\r\n\r\n".utf8)[...]) == nil)
    }

    // MARK: UIDL

    func uidl(_ format: String, uid: UInt32, uidValidity: UInt32 = 5, header: String? = nil) throws -> String {
        try POP3UIDLFormat(format).uidl(
            uid: uid, uidValidity: uidValidity, guid: "0123456789abcdef0123456789abcdef",
            objectKey: "mailboxes/ffff/9a8b7c", header: header.map { Array($0.utf8) })
    }

    @Test func uidlFormatsWithDovecotsVariables() throws {
        #expect(try uidl("%08Xu%08Xv", uid: 26, uidValidity: 1_700_000_000) == "0000001a6553f100")
        #expect(try uidl("%g", uid: 1) == "0123456789abcdef0123456789abcdef")
        #expect(try uidl("%v.%u", uid: 7) == "5.7")
        #expect(try uidl("%f", uid: 7) == "9a8b7c")
        #expect(try uidl("%m", uid: 7, header: "A: b\r\n\r\n") == "af2394e85111bf8e8f28d6a6ec5c84a7")
        #expect(try POP3UIDLFormat("%m").needsHeader && !POP3UIDLFormat("%g").needsHeader)
        #expect(try uidl("x%%y%u", uid: 3) == "x%y3")
    }

    @Test func unknownUIDLVariablesAreConfigErrors() {
        #expect(throws: ConfigError.self) { try POP3UIDLFormat("%z") }
        #expect(throws: ConfigError.self) { try POP3UIDLFormat("%u%") }
    }

    // MARK: SASL

    @Test func saslPlainAndLogin() throws {
        var plain = try #require(SASLExchange(mechanism: "plain"))
        #expect(plain.start(initialResponse: nil) == .challenge(""))
        #expect(plain.respond(Data("\0jane\0secret".utf8).base64EncodedString()) == .credentials(user: "jane", password: "secret"))
        var login = try #require(SASLExchange(mechanism: "LOGIN"))
        #expect(login.start(initialResponse: nil) == .challenge("VXNlcm5hbWU6"))
        #expect(login.respond(Data("jane".utf8).base64EncodedString()) == .challenge("UGFzc3dvcmQ6"))
        #expect(login.respond(Data("pw".utf8).base64EncodedString()) == .credentials(user: "jane", password: "pw"))
        var other = try #require(SASLExchange(mechanism: "PLAIN"))
        #expect(other.respond(Data("joe\0jane\0secret".utf8).base64EncodedString()) == .failed(.authorizationDenied))
        #expect(other.respond("*") == .failed(.aborted))
        #expect(other.respond("!!") == .failed(.invalidBase64))
        #expect(other.respond(Data("jane".utf8).base64EncodedString()) == .failed(.malformed))
        #expect(SASLExchange(mechanism: "CRAM-MD5") == nil)
        // With master users configured, authzid ≠ authcid is the master user acting for the authzid.
        var master = try #require(SASLExchange(mechanism: "PLAIN", masterUserSeparator: "*"))
        #expect(
            master.respond(Data("joe\0admin\0secret".utf8).base64EncodedString())
                == .credentials(user: "joe*admin", password: "secret"))
    }

    // MARK: Settings

    func load(_ text: String) throws -> Settings {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        ServerSettings.register(in: &registry)
        POP3Settings.register(in: &registry)
        IMAPConfiguration.register(in: &registry) // mail_max_userip_connections, shared with IMAP
        return try registry.load(text: text, file: "test.conf")
    }

    @Test func settingsWithDovecotsDefaults() throws {
        let defaults = try POP3Configuration(settings: load(""))
        #expect(defaults.uidlFormat.template.template == "%08Xu%08Xv")
        #expect(!defaults.noFlagUpdates && !defaults.lockSession && defaults.workarounds.isEmpty)
        #expect(defaults.maxUserIPConnections == 10)
        #expect(defaults.autologout == .minutes(10))
        let seed = try POP3Configuration(
            settings: load(
                """
                pop3_uidl_format = %g
                pop3_no_flag_updates = yes
                pop3_client_workarounds = outlook-no-nuls oe-ns-eoh
                pop3_lock_session = yes
                mail_max_userip_connections = 3
                """))
        #expect(seed.uidlFormat.template.template == "%g")
        #expect(seed.noFlagUpdates && seed.lockSession && seed.workarounds == [.outlookNoNuls, .oeNsEoh])
        #expect(seed.maxUserIPConnections == 3)
    }

    @Test func badSettingsAreConfigErrorsWithTheirLine() throws {
        for text in [
            "pop3_client_workarounds = outlook-no-nuls bogus", "pop3_uidl_format = %q", "pop3_enable_last = yes",
            "pop3_logout_format = %z"
        ] {
            let error = try #require(throws: ConfigError.self) { try POP3Configuration(settings: load(text)) }
            #expect(error.location?.line == 1, "\(text): \(error)")
        }
    }

    @Test func pop3LoginServiceListens() throws {
        let specs = try ListenerSpec.all(
            from: load(
                """
                protocols = pop3
                service pop3-login {
                  inet_listener pop3 {
                    address = 127.0.0.1
                    port = 110
                  }
                  inet_listener pop3s {
                    port = 0
                  }
                }
                """))
        #expect(specs == [ListenerSpec(service: "pop3", endpoint: .inet(host: "127.0.0.1", port: 110))])
    }
}

/// The autologout path of the POP3 channel handler (Dovecot: 10 minutes without I/O).
@Suite struct POP3ChannelHandlerTests {
    @Test func idleClientsAreLoggedOutThenClosed() async throws {
        let (inputs, continuation) = AsyncStream<POP3SessionInput>.makeStream()
        let channel = EmbeddedChannel(handler: POP3ChannelHandler(inputs: continuation, traffic: TrafficCounter()))
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 110)).get()
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(channel.isActive)
        // The session answers the first; a second means it could not (a client that stopped reading).
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.all)
        #expect(!channel.isActive)
        var received: [String] = []
        for await input in inputs {
            switch input {
            case .connected: received.append("connected")
            case .idleTimeout: received.append("idle")
            case .frame: received.append("frame")
            case .tlsEstablished: received.append("tls")
            }
        }
        #expect(received == ["connected", "idle"])
    }
}
