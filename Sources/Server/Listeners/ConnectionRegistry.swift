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

    func closeAll() -> [EventLoopFuture<Void>] {
        channels.withLock { $0.values.map { $0.close() } }
    }
}
