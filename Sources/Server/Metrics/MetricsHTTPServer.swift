import Logging
import MetricsExport
import NIOCore
import NIOHTTP1
import NIOPosix

/// The `service stats` HTTP listener: GET /metrics answers the process's `PrometheusExporter` in Prometheus text
/// format, any other path 404, any other method 405. Rendering copies the registry's table under its lock and reads
/// atomics (and the fscache's figures): a few hundred series, cheap enough to do on the event loop.
public final class MetricsHTTPServer: Sendable {
    private let channels: [any Channel]

    private init(channels: [any Channel]) {
        self.channels = channels
    }

    /// The addresses actually bound (port 0 resolves to the chosen port).
    public var boundAddresses: [SocketAddress] { channels.compactMap(\.localAddress) }

    /// Binds every `stats` listener; nothing to bind gives a server with no channels.
    public static func start(
        _ listeners: [ListenerSpec], exporter: PrometheusExporter,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MetricsHTTPServer {
        let channels = try await HTTPListeners.bind(listeners, group: group) { MetricsRequestHandler(exporter: exporter) }
        return MetricsHTTPServer(channels: channels)
    }

    public func stop() async {
        for channel in channels { try? await channel.close() }
    }
}

/// One HTTP/1.1 connection: answers each request once its end arrives (bodies are ignored).
final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exporter: PrometheusExporter
    private var head: HTTPRequestHead?

    init(exporter: PrometheusExporter) {
        self.exporter = exporter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            let (status, body, extraHeaders) = Self.answer(request, exporter: exporter)
            var headers = HTTPHeaders(extraHeaders)
            headers.add(name: "Content-Length", value: "\(body.count)")
            if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let response = HTTPResponseHead(version: request.version, status: status, headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            // HEAD gets the headers GET would get, without the body.
            if request.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
            let keepAlive = request.isKeepAlive
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    static func answer(_ request: HTTPRequestHead, exporter: PrometheusExporter) -> (HTTPResponseStatus, [UInt8], [(String, String)]) {
        guard request.method == .GET || request.method == .HEAD else {
            return (.methodNotAllowed, Array("Only GET /metrics is served\n".utf8), [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
        }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        guard path == "/metrics" else {
            return (.notFound, Array("Not found: try /metrics\n".utf8), [("Content-Type", "text/plain")])
        }
        return (.ok, exporter.render(), [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
    }
}
