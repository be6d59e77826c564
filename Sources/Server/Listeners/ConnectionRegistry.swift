import NIOCore
import Synchronization

/// The open connections, so that shutdown can wait for them and then close what is left, and how many each
/// service has (the process title of `verbose_proctitle`).
final class ConnectionRegistry: Sendable {
    private struct Open: Sendable {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var byService: [String: Int] = [:]
    }

    private let open = Mutex(Open())
    /// One element whenever the counts changed; the newest only, so a consumer that is slow (or absent) holds
    /// nothing back and never grows a queue.
    let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    init() {
        (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func add(_ channel: any Channel, service: String) {
        let key = ObjectIdentifier(channel)
        open.withLock {
            $0.channels[key] = channel
            $0.byService[service, default: 0] += 1
        }
        changed.yield()
        channel.closeFuture.whenComplete { [self] _ in
            open.withLock {
                guard $0.channels.removeValue(forKey: key) != nil else { return }
                $0.byService[service, default: 1] -= 1
                if $0.byService[service] == 0 { $0.byService[service] = nil }
            }
            changed.yield()
        }
    }

    var count: Int { open.withLock { $0.channels.count } }

    /// Open connections by service (imap, pop3, lmtp, auth …); services with none are absent.
    var countsByService: [String: Int] { open.withLock { $0.byService } }

    /// Tells every session that the server is stopping (`ServerShutdownEvent`), so idle ones can say goodbye now.
    func announceShutdown() {
        for channel in open.withLock({ Array($0.channels.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ServerShutdownEvent())
        }
    }

    func closeAll() -> [EventLoopFuture<Void>] {
        open.withLock { $0.channels.values.map { $0.close() } }
    }
}

/// Fired into every connection's pipeline when the server starts shutting down: a session that is
/// idle closes at once (LMTP: 421), one in the middle of a transaction finishes it first.
public struct ServerShutdownEvent: Sendable {}
