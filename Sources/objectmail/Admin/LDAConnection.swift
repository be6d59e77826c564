import Dispatch
import Foundation
import Logging
import ObjectMail
import Server
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One `objectmail lda` delivery on the admin socket (the exchange is described at `LDARequest`). Each runs on a
/// thread of its own, so a delivery neither waits for nor holds up the admin requests and the other deliveries
/// (an MTA runs many at once); the thread reads the body with blocking calls and waits for the save, never an
/// event loop or a thread of the cooperative pool.
enum LDAConnection {
    /// Takes over `client` (it is closed when the delivery is answered). `line` is the request line without `lda\t`.
    static func start(client: Int32, line: String, agent: LocalDeliveryAgent, logger: Logger) {
        let thread = Thread { serve(client: client, line: line, delivery: agent.delivery, logger: logger) }
        thread.name = "lda delivery"
        thread.start()
    }

    private static func serve(client: Int32, line: String, delivery: StorageDelivery, logger: Logger) {
        defer { close(client) }
        guard let request = try? JSONDecoder().decode(LDARequest.self, from: Data(line.utf8)), request.size >= 0 else {
            answer(client, LDAResult(.temporaryFailure, "invalid lda request (objectmail lda of another version?)"))
            return
        }
        let recipient: LMTPRecipient
        switch wait({ await delivery.accept(request) }) {
        case .refused(let result):
            answer(client, result)
            return
        case .proceed(let accepted):
            recipient = accepted
        }
        guard UnixSocket.writeAll(client, "+\n") else { return }
        let body: (bytes: [UInt8], spool: SpoolFile?)
        do {
            guard let received = try receive(request.size, from: client, spooling: delivery.spoolConfiguration) else {
                // The command went away (killed by its MTA, say) before the whole message came: deliver nothing.
                logger.warning("lda(\(request.user)): the message ended before its \(request.size) bytes; nothing delivered")
                return
            }
            body = received
        } catch {
            logger.error("lda(\(request.user)): cannot spool the message: \(error)")
            answer(client, LDAResult(.temporaryFailure, "cannot spool the message: \(error)"))
            return
        }
        answer(client, wait { await delivery.deliverLocally(request, to: recipient, bytes: body.bytes, spool: body.spool) })
    }

    /// Exactly `size` bytes: in memory up to the spool threshold, in a spool file in mail_temp_dir beyond (as LMTP
    /// receives a DATA). nil when the stream ends first.
    private static func receive(_ size: Int, from client: Int32, spooling configuration: SpoolConfiguration) throws
        -> (bytes: [UInt8], spool: SpoolFile?)? {
        if size <= configuration.threshold {
            var bytes = [UInt8](repeating: 0, count: size)
            let complete = bytes.withUnsafeMutableBytes { UnixSocket.readExactly(client, into: $0) }
            return complete ? (bytes, nil) : nil
        }
        let spool = try SpoolFile.create(in: configuration.directory)
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        var remaining = size
        while remaining > 0 {
            let count = min(remaining, buffer.count)
            let complete = try buffer.withUnsafeMutableBytes { raw -> Bool in
                let piece = UnsafeMutableRawBufferPointer(rebasing: raw[0..<count])
                guard UnixSocket.readExactly(client, into: piece) else { return false }
                try spool.append(UnsafeRawBufferPointer(piece))
                return true
            }
            guard complete else { return nil }
            remaining -= count
        }
        return ([], spool)
    }

    private static func answer(_ client: Int32, _ result: LDAResult) {
        let json = (try? JSONEncoder().encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        UnixSocket.writeAll(client, json + "\n")
    }

    /// Runs async work from this dedicated thread and waits for it.
    private static func wait<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
