import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT: their default actions are turned off by `install()`, called before anything is bound, so
/// a stop that arrives while the server is still starting is kept and answered by `wait()` with a graceful
/// shutdown instead of killing the process mid-start.
public enum ShutdownSignal {
    private struct State {
        var installed = false
        var received: Int32?
        var waiter: CheckedContinuation<Int32, Never>?
    }

    private static let state = Mutex(State())

    public static func install() {
        guard
            !state.withLock({ state in
                defer { state.installed = true }
                return state.installed
            })
        else { return }
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { deliver(number) }
            source.resume()
            sources.append(source)
        }
        kept.withLock { $0.append(KeptSources(sources: sources)) }
    }

    /// The first SIGTERM or SIGINT, whenever it came.
    public static func wait() async -> Int32 {
        install()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let early = state.withLock { state -> Int32? in
                if let received = state.received { return received }
                state.waiter = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
    }

    private static func deliver(_ number: Int32) {
        let waiter = state.withLock { state -> CheckedContinuation<Int32, Never>? in
            if state.received == nil { state.received = number }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: number)
    }

    /// Dispatch sources are thread-safe; this only keeps them alive for the life of the process.
    private final class KeptSources: @unchecked Sendable {
        let sources: [any DispatchSourceSignal]
        init(sources: [any DispatchSourceSignal]) { self.sources = sources }
    }

    private static let kept = Mutex<[KeptSources]>([])
}
