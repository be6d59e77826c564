import NIOCore

extension ProtocolService {
    /// The LMTP protocol: one `LMTPSessionHandler` per connection.
    public static func lmtp(backend: any LMTPBackend, configuration: LMTPConfiguration) -> ProtocolService {
        ProtocolService(name: "lmtp") { channel, connection in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers(
                    IdleStateHandler(readTimeout: configuration.idleTimeout),
                    LMTPSessionHandler(backend: backend, configuration: configuration, connection: connection))
            }
        }
    }
}
