import Config
import NIOCore
import NIOHTTP1
import NIOPosix

/// The `service doveadm { inet_listener http }` listener: Dovecot's doveadm HTTP API. This is the transport
/// only: each request (head and body, at most `maximumBody` bytes) goes to `answer`, which runs off the event loop.
public final class DoveadmHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        /// The path without the query string.
        public var path: String
        public var authorization: String
        public var body: [UInt8]
    }

    public struct Reply: Sendable {
        public var status: Int
        public var body: String
        public var headers: [(String, String)]

        public init(status: Int, body: String, headers: [(String, String)] = [("Content-Type", "application/json")]) {
            self.status = status
            self.body = body
            self.headers = headers
        }
    }

    public typealias Answer = @Sendable (Request) async -> Reply

    public static let maximumBody = 1 << 20

    private let channels: [any Channel]

    private init(channels: [any Channel]) {
        self.channels = channels
    }

    public var boundAddresses: [SocketAddress] { channels.compactMap(\.localAddress) }

    public static func start(
        _ listeners: [ListenerSpec], answer: @escaping Answer,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> DoveadmHTTPServer {
        let channels = try await HTTPListeners.bind(listeners, group: group) { DoveadmHTTPHandler(answer: answer) }
        return DoveadmHTTPServer(channels: channels)
    }

    public func stop() async {
        for channel in channels { try? await channel.close() }
    }
}

/// One HTTP/1.1 connection: collects a request's body, asks for the reply, writes it.
final class DoveadmHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let answer: DoveadmHTTPServer.Answer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(answer: @escaping DoveadmHTTPServer.Answer) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
            body = []
        case .body(var buffer):
            // After a refused request the rest of its body is dropped.
            guard head != nil else { return }
            if body.count + buffer.readableBytes <= DoveadmHTTPServer.maximumBody {
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            } else {
                head = nil
                body = []
                write(DoveadmHTTPServer.Reply(status: 413, body: ""), keepAlive: false, context: context)
            }
        case .end:
            guard let request = head else { return }
            head = nil
            let bytes = body
            let answer = self.answer
            body = []
            let promise = context.eventLoop.makePromise(of: DoveadmHTTPServer.Reply.self)
            let call = DoveadmHTTPServer.Request(
                method: request.method.rawValue,
                path: request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri,
                authorization: request.headers["Authorization"].first ?? "", body: bytes)
            promise.completeWithTask { await answer(call) }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { reply in
                let (handler, context) = bound.value
                handler.write(reply, keepAlive: request.isKeepAlive, context: context)
            }
        }
    }

    private func write(_ reply: DoveadmHTTPServer.Reply, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(reply.headers)
        headers.add(name: "Content-Length", value: "\(reply.body.utf8.count)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: reply.body.utf8.count)
        buffer.writeString(reply.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}

extension ListenerSpec {
    /// `service doveadm { inet_listener http { port = 8080 } }`: the doveadm HTTP API (plain HTTP, as Dovecot's without ssl).
    public static func doveadmHTTPListeners(from settings: Settings) throws -> [ListenerSpec] {
        var specs: [ListenerSpec] = []
        for service in settings.sections("service") where service.name == "doveadm" {
            for listener in service.sections("inet_listener") {
                let port = listener.number("port")
                guard port > 0 else { continue }
                guard port < 65536 else {
                    throw ConfigError("inet_listener \(listener.name ?? ""): port \(port) is out of range", at: listener.location(of: "port"))
                }
                if listener.bool("ssl") {
                    throw ConfigError(
                        "service doveadm: inet_listener \(listener.name ?? ""): the doveadm HTTP API speaks plain HTTP only "
                            + "(remove ssl = yes)")
                }
                var addresses = listener.list("address")
                if addresses.isEmpty { addresses = settings.list("listen").isEmpty ? ["*"] : settings.list("listen") }
                specs += addresses.map { ListenerSpec(service: "doveadm", endpoint: .inet(host: $0 == "*" ? "0.0.0.0" : $0, port: port)) }
            }
        }
        return specs
    }
}
