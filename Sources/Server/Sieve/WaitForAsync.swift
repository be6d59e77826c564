import Foundation
import Synchronization

/// Waits on a blocking thread (a `BlockingPool`'s, never a cooperative one) for async work: an included personal
/// script fetched while the interpreter runs.
enum WaitForAsync {
    static func result<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            box.value.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return box.value.withLock { $0! }
    }

    private final class Box<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }
}
