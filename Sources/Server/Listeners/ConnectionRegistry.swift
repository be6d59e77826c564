import NIOCore
import Synchronization

/// The open connections, so that shutdown can wait for them and then close what is left.
final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = channels.withLock { $0.removeValue(forKey: key) }
        }
    }

    var count: Int { channels.withLock { $0.count } }

    /// Tells every session that the server is stopping (`ServerShutdownEvent`), so idle ones can say goodbye now.
    func announceShutdown() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ServerShutdownEvent())
        }
    }

    func closeAll() -> [EventLoopFuture<Void>] {
        channels.withLock { $0.values.map { $0.close() } }
    }
}

/// Fired into every connection's pipeline when the server starts shutting down: a session that is
/// idle closes at once (LMTP: 421), one in the middle of a transaction finishes it first.
public struct ServerShutdownEvent: Sendable {}
