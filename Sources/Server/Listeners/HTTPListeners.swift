import NIOCore
import NIOHTTP1
import NIOPosix

/// Binds the inet listeners of an HTTP service (`service stats`, `service doveadm`): one HTTP/1.1 server pipeline
/// per connection ending in the handler `makeHandler` builds. On a failed bind the ones already bound are closed.
enum HTTPListeners {
    static func bind(
        _ listeners: [ListenerSpec], group: any EventLoopGroup,
        makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> [any Channel] {
        var channels: [any Channel] = []
        for spec in listeners {
            guard case .inet(let host, let port) = spec.endpoint else { continue }
            let bootstrap = ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(makeHandler())
                    }
                }
            do {
                channels.append(try await bootstrap.bind(host: host, port: port).get())
            } catch {
                for channel in channels { try? await channel.close() }
                throw ListenerError(listener: spec.description, message: "\(error)")
            }
        }
        return channels
    }
}
