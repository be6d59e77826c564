import Dispatch
import Foundation
import Synchronization

/// SIGHUP: the operator's "reload" (as `doveadm reload`/`kill -HUP` for Dovecot). Only new connections see
/// what the handler changes; open sessions keep going.
public enum ReloadSignal {
    /// Calls `handler` on a background queue for every SIGHUP from now on.
    public static func install(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        kept.withLock { $0.append(KeptSource(source: source)) }
    }

    /// Dispatch sources are thread-safe; this only keeps the source alive for the life of the process.
    private final class KeptSource: @unchecked Sendable {
        let source: any DispatchSourceSignal
        init(source: any DispatchSourceSignal) { self.source = source }
    }

    private static let kept = Mutex<[KeptSource]>([])
}
