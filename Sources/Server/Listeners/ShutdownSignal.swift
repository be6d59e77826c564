import Dispatch
import Foundation
import Synchronization

/// Waits for SIGTERM or SIGINT (the default actions are turned off, so the server can shut down
/// gracefully instead of dying mid-delivery).
public enum ShutdownSignal {
    public static func wait() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let once = Once(continuation)
            var sources: [any DispatchSourceSignal] = []
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { once.resume(number) }
                source.resume()
                sources.append(source)
            }
            kept.withLock { $0.append(KeptSources(sources: sources)) }
        }
    }

    private final class Once: Sendable {
        let continuation: Mutex<CheckedContinuation<Int32, Never>?>
        init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = Mutex(continuation) }
        func resume(_ number: Int32) {
            continuation.withLock { $0.take() }?.resume(returning: number)
        }
    }

    /// Dispatch sources are thread-safe; this only keeps them alive for the life of the process.
    private final class KeptSources: @unchecked Sendable {
        let sources: [any DispatchSourceSignal]
        init(sources: [any DispatchSourceSignal]) { self.sources = sources }
    }

    private static let kept = Mutex<[KeptSources]>([])
}
