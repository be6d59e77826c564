import IMAPProtocol
import NIOCore
import NIOEmbedded
import NIOSSL
import Synchronization
import Testing

@testable import Server

/// STARTTLS through `TLSUpgrade.startTLS` on in-memory channels: the reply goes out in clear text, a real
/// TLS handshake follows, and clear text the client had sent behind the command never reaches the session.
@Suite struct TLSUpgradeTests {
    /// Collects what the framer delivers.
    final class Frames: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = IMAPFrame
        var received: [String] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .command(let buffer) = unwrapInboundIn(data) { received.append(String(buffer: buffer)) }
        }
    }

    /// Moves bytes both ways until neither side has anything to send.
    func shuttle(_ client: EmbeddedChannel, _ server: EmbeddedChannel) throws {
        for _ in 0..<20 {
            var moved = false
            client.embeddedEventLoop.run()
            server.embeddedEventLoop.run()
            while let bytes = try client.readOutbound(as: ByteBuffer.self), bytes.readableBytes > 0 {
                try server.writeInbound(bytes)
                moved = true
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self), bytes.readableBytes > 0 {
                try client.writeInbound(bytes)
                moved = true
            }
            if !moved { return }
        }
        Issue.record("the TLS exchange did not settle")
    }

    @Test func startTLSReplacesTheFramerAndDropsClearText() throws {
        let (certificate, key) = try SelfSignedCertificate.make(hostName: "localhost")
        let serverContext = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))))
        var clientConfiguration = TLSConfiguration.makeClientConfiguration()
        clientConfiguration.certificateVerification = .none
        let clientContext = try NIOSSLContext(configuration: clientConfiguration)

        let frames = Frames()
        let server = EmbeddedChannel()
        _ = server.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 143))
        try server.pipeline.syncOperations.addHandler(ByteToMessageHandler(IMAPCommandFramer()), name: TLSUpgrade.framerName)
        try server.pipeline.syncOperations.addHandler(frames)
        // A partial line in clear text sits in the framer when the upgrade happens.
        try server.writeInbound(ByteBuffer(string: "x APPEND INBOX {500}"))
        #expect(frames.received.isEmpty)

        let established = Atomic<Bool>(false)
        let upgrade = TLSUpgrade.startTLS(
            on: server, context: serverContext, reply: ByteBuffer(string: "a OK Begin TLS\r\n"),
            makeFramer: { ByteToMessageHandler(IMAPCommandFramer()) },
            onEstablished: { established.store(true, ordering: .relaxed) })
        server.embeddedEventLoop.run()
        let upgraded = Atomic<Bool>(false)
        upgrade.whenSuccess { upgraded.store(true, ordering: .relaxed) }
        let upgradeDone = upgraded.load(ordering: .relaxed)
        #expect(upgradeDone)
        #expect(try server.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "a OK Begin TLS\r\n"))

        let client = EmbeddedChannel()
        try client.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: clientContext, serverHostname: "localhost"))
        _ = client.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 143))
        try shuttle(client, server)
        let handshakeDone = established.load(ordering: .relaxed)
        #expect(handshakeDone)

        try client.writeOutbound(ByteBuffer(string: "b NOOP\r\n"))
        try shuttle(client, server)
        // The command arrived whole and alone: the clear-text partial line was not glued in front of it.
        #expect(frames.received == ["b NOOP\r\n"])
        // Not finished: finish() would wait for a TLS close_notify exchange nobody drives here.
    }
}
