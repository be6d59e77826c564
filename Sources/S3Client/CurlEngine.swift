import CCurl
import Foundation
import Synchronization

/// Runs HTTP requests on libcurl's multi interface from one dedicated thread.
///
/// That thread alone touches the `CURLM` handle and every `CURL` easy handle. Callers hand over a
/// Sendable `HTTPRequest` under a mutex and wake the thread with `curl_multi_wakeup` (thread-safe);
/// the thread resumes their continuations when transfers finish. At most `maxInFlight` transfers run at
/// once, the rest wait in order. Connections stay in the multi handle's cache and are reused.
final class CurlEngine: Sendable {
    private let inbox: CurlInbox

    init(maxInFlight: Int) {
        _ = CurlEngine.globalInit
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        let handle = CurlMultiHandle(raw: multi)
        _ = objectmail_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, maxInFlight)
        _ = objectmail_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxInFlight)
        inbox = CurlInbox(multi: handle)
        let inbox = self.inbox
        let thread = Thread {
            CurlWorker(multi: handle, inbox: inbox, maxInFlight: maxInFlight).run()
        }
        thread.name = "objectmail-s3-curl"
        thread.start()
    }

    deinit { shutdown() }

    /// libcurl's global state must be set up once before any thread uses it.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Performs one request. Throws `HTTPTransportFailure` when no HTTP answer arrived.
    func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = inbox.newID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                if !inbox.submit(CurlJob(id: id, request: request, continuation: continuation)) {
                    continuation.resume(throwing: HTTPTransportFailure(reason: .shutdown, message: "S3 client is shut down"))
                }
            }
        } onCancel: {
            inbox.cancel(id)
        }
    }

    /// Fails every waiting and running request with a shutdown error and stops the thread.
    func shutdown() { inbox.shutdown() }
}

/// The `CURLM` pointer, shared with callers only for `curl_multi_wakeup`, which libcurl documents as
/// thread-safe. Every other use happens on the engine thread. This is the one `@unchecked Sendable`
/// type of the module: a raw C pointer cannot be Sendable otherwise.
struct CurlMultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

struct CurlJob: Sendable {
    var id: UInt64
    var request: HTTPRequest
    var continuation: CheckedContinuation<HTTPResponse, any Error>
}

/// The hand-over point between callers and the engine thread.
final class CurlInbox: Sendable {
    struct State {
        var nextID: UInt64 = 1
        var submitted: [CurlJob] = []
        var cancelled: [UInt64] = []
        var shuttingDown = false
        /// Set by the thread before it frees the multi handle: nobody may wake it any more.
        var closed = false
    }

    private let state = Mutex(State())
    private let multi: CurlMultiHandle

    init(multi: CurlMultiHandle) { self.multi = multi }

    func newID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// False once shutdown began. Wakes the thread while holding the lock, so the handle cannot be freed meanwhile.
    func submit(_ job: CurlJob) -> Bool {
        state.withLock { state in
            guard !state.shuttingDown else { return false }
            state.submitted.append(job)
            _ = curl_multi_wakeup(multi.raw)
            return true
        }
    }

    func cancel(_ id: UInt64) {
        state.withLock { state in
            guard !state.closed else { return }
            state.cancelled.append(id)
            _ = curl_multi_wakeup(multi.raw)
        }
    }

    func shutdown() {
        state.withLock { state in
            guard !state.shuttingDown else { return }
            state.shuttingDown = true
            if !state.closed { _ = curl_multi_wakeup(multi.raw) }
        }
    }

    /// Called by the engine thread: new jobs, cancelled ids, and whether to shut down.
    func take() -> (jobs: [CurlJob], cancelled: [UInt64], shuttingDown: Bool) {
        state.withLock { state in
            defer {
                state.submitted.removeAll(keepingCapacity: true)
                state.cancelled.removeAll(keepingCapacity: true)
            }
            if state.shuttingDown { state.closed = true }
            return (state.submitted, state.cancelled, state.shuttingDown)
        }
    }
}
