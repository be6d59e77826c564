import Logging
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Server

/// A backend that knows a fixed set of users and records what it was asked to deliver, so the
/// protocol state machine can be tested without storage (the end-to-end tests cover storage).
final class RecordingBackend: LMTPBackend {
    let users: Set<String>
    /// Lookups of these addresses fail temporarily (userdb down).
    let unavailable: Set<String>
    /// Deliveries to these users fail (store down).
    let failingStores: Set<String>
    let delivered = Mutex<[LMTPMessage]>([])

    init(users: Set<String>, unavailable: Set<String> = [], failingStores: Set<String> = []) {
        self.users = users
        self.unavailable = unavailable
        self.failingStores = failingStores
    }

    func resolveRecipient(_ address: String, originalRecipient: String?, session: LMTPSessionInfo) async -> RecipientLookup {
        if unavailable.contains(address) { return .temporaryFailure }
        let (user, detail) = LMTPConfiguration().splitDetail(address)
        guard users.contains(user) else { return .unknown }
        return .accepted(LMTPRecipient(address: address, user: user, detail: detail, originalRecipient: originalRecipient))
    }

    func deliver(_ message: LMTPMessage, session: LMTPSessionInfo) async -> [LMTPReply] {
        delivered.withLock { $0.append(message) }
        return message.recipients.map { recipient in
            failingStores.contains(recipient.user)
                ? LMTPReply(451, "4.3.0 <\(recipient.address)> Temporary failure")
                : LMTPReply(250, "2.0.0 <\(recipient.address)> \(session.id) Saved")
        }
    }

    var messages: [LMTPMessage] { delivered.withLock { $0 } }
}

/// An LMTP session on a test channel: write client bytes, read complete replies.
struct LMTPTestSession {
    let channel: NIOAsyncTestingChannel
    let backend: any LMTPBackend
    var received = ""

    init(backend: any LMTPBackend, configuration: LMTPConfiguration = LMTPConfiguration(hostname: "mx.test")) async throws {
        self.backend = backend
        let connection = ConnectionContext(sessionID: "TESTSESSION00001", logger: Logger(label: "test"), remoteAddress: nil, localAddress: nil)
        let service = ProtocolService.lmtp(backend: backend, configuration: configuration)
        // The pipeline is built on the channel's event loop, as a listener does; the future is completed at once.
        channel = try await NIOAsyncTestingChannel { channel in
            service.initializeConnection(channel, connection).whenFailure { Issue.record($0) }
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 24)).get()
    }

    func send(_ text: String) async throws {
        try await channel.writeInbound(ByteBuffer(string: text))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    /// The next `count` replies (a multi-line reply counts once), each as its full text.
    mutating func replies(_ count: Int) async throws -> [String] {
        var replies: [String] = []
        while replies.count < count {
            if let end = received.range(of: "\r\n") {
                let line = String(received[..<end.lowerBound])
                received.removeSubrange(..<end.upperBound)
                if line.count >= 4 && Array(line)[3] == "-" {
                    // Continuation: keep collecting until the final line of the reply.
                    var full = line
                    while true {
                        if let next = received.range(of: "\r\n") {
                            let more = String(received[..<next.lowerBound])
                            received.removeSubrange(..<next.upperBound)
                            full += "\n" + more
                            if Array(more).count >= 4 && Array(more)[3] == " " { break }
                        } else {
                            var buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
                            received += buffer.readString(length: buffer.readableBytes) ?? ""
                        }
                    }
                    replies.append(full)
                } else {
                    replies.append(line)
                }
                continue
            }
            var buffer = try await channel.waitForOutboundWrite(as: ByteBuffer.self)
            received += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return replies
    }

    mutating func reply() async throws -> String { try await replies(1)[0] }

    /// Greeting and LHLO, ready for MAIL.
    mutating func greet() async throws {
        _ = try await reply()
        try await send("LHLO client.test\r\n")
        _ = try await reply()
    }
}

extension [String] {
    var codes: [String] { map { String($0.prefix(9)) } }
}
