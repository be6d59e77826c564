import CCurl
import Foundation

/// The engine thread's loop. Owns the multi handle, every easy handle and every running `CurlTransfer`;
/// never leaves that thread (it is not Sendable).
final class CurlWorker {
    private let multi: UnsafeMutableRawPointer
    private let inbox: CurlInbox
    private let maxInFlight: Int
    private var waiting: [CurlJob] = []
    private var waitingHead = 0
    private var active: [UInt64: CurlTransfer] = [:]
    /// Easy handles kept for reuse (curl_easy_reset keeps their DNS and TLS session caches warm).
    private var idleHandles: [UnsafeMutableRawPointer] = []

    init(multi: CurlMultiHandle, inbox: CurlInbox, maxInFlight: Int) {
        self.multi = multi.raw
        self.inbox = inbox
        self.maxInFlight = maxInFlight
    }

    func run() {
        var running: Int32 = 0
        while true {
            let (jobs, cancelled, shuttingDown) = inbox.take()
            waiting += jobs
            for id in cancelled { cancel(id) }
            if shuttingDown {
                stopAll()
                return
            }
            startWaiting()
            expireWaiting()
            _ = curl_multi_perform(multi, &running)
            let finished = collectFinished()
            if finished && waitingCount > 0 && active.count < maxInFlight { continue }
            // Sleeps until a socket is ready, curl's own timer fires, or a caller wakes us.
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private var waitingCount: Int { waiting.count - waitingHead }

    private func startWaiting() {
        while active.count < maxInFlight, waitingHead < waiting.count {
            let job = waiting[waitingHead]
            waitingHead += 1
            start(job)
        }
        if waitingHead > 1024 && waitingHead * 2 > waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
    }

    /// Requests still queued when their deadline passed fail now rather than when a slot frees (a stalled store
    /// holds every slot until the transfers' own timeouts). The loop wakes at least once a second.
    private func expireWaiting() {
        guard waitingCount > 0 else { return }
        let now = ContinuousClock.now
        guard waiting[waitingHead...].contains(where: { $0.request.deadline.map { $0 <= now } ?? false }) else { return }
        var kept: [CurlJob] = []
        for job in waiting[waitingHead...] {
            if let deadline = job.request.deadline, deadline <= now {
                job.continuation.resume(
                    throwing: HTTPTransportFailure(
                        reason: .timeout(connecting: true),
                        message: "deadline passed while waiting for a free transfer slot"))
            } else {
                kept.append(job)
            }
        }
        waiting = kept
        waitingHead = 0
    }

    private func start(_ job: CurlJob) {
        let easy = idleHandles.popLast() ?? curl_easy_init()
        guard let easy else {
            job.continuation.resume(
                throwing: HTTPTransportFailure(reason: .curl(code: Int(CURLE_OUT_OF_MEMORY.rawValue), connecting: true), message: "curl_easy_init failed"))
            return
        }
        let transfer = CurlTransfer(job: job, easy: easy)
        do {
            try transfer.configure()
        } catch {
            recycle(easy)
            transfer.close()
            job.continuation.resume(throwing: error)
            return
        }
        active[job.id] = transfer
        _ = curl_multi_add_handle(multi, easy)
    }

    /// Resumes the callers of finished transfers. True if any finished.
    private func collectFinished() -> Bool {
        var any = false
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = objectmail_msg_result(message)
            var pointer: UnsafeMutableRawPointer?
            _ = objectmail_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &pointer)
            guard let pointer else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue()
            _ = curl_multi_remove_handle(multi, easy)
            active[transfer.job.id] = nil
            let result = transfer.finish(code: code)
            recycle(easy)
            transfer.job.continuation.resume(with: result)
            any = true
        }
        return any
    }

    private func cancel(_ id: UInt64) {
        if let transfer = active.removeValue(forKey: id) {
            _ = curl_multi_remove_handle(multi, transfer.easy)
            transfer.discardDownload()
            transfer.close()
            recycle(transfer.easy)
            transfer.job.continuation.resume(throwing: CancellationError())
        } else if let index = waiting[waitingHead...].firstIndex(where: { $0.id == id }) {
            let job = waiting.remove(at: index)
            job.continuation.resume(throwing: CancellationError())
        }
    }

    private func recycle(_ easy: UnsafeMutableRawPointer) {
        if idleHandles.count < maxInFlight {
            curl_easy_reset(easy)
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }

    /// Shutdown with transfers in flight: every waiter gets an error, then all handles are freed.
    private func stopAll() {
        let failure = HTTPTransportFailure(reason: .shutdown, message: "S3 client shut down")
        for transfer in active.values {
            _ = curl_multi_remove_handle(multi, transfer.easy)
            transfer.discardDownload()
            transfer.close()
            curl_easy_cleanup(transfer.easy)
            transfer.job.continuation.resume(throwing: failure)
        }
        active.removeAll()
        for job in waiting[waitingHead...] { job.continuation.resume(throwing: failure) }
        waiting.removeAll()
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles.removeAll()
        _ = curl_multi_cleanup(multi)
    }
}
