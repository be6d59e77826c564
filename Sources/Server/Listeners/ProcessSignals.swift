import Dispatch
import Foundation
import Synchronization

/// The operator's signals besides the shutdown ones: SIGHUP, "reload" (as `doveadm reload`/`kill -HUP` for
/// Dovecot), and SIGUSR1, "reopen the log files" (as Dovecot's log process does after a rotation). Their default
/// action ends the process, so the server installs a handler for each before it listens, whatever its settings.
public enum ProcessSignals {
    /// Calls `handler` on a background queue for every `number` signal from now on.
    public static func install(_ number: Int32, _ handler: @escaping @Sendable () -> Void) {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
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
