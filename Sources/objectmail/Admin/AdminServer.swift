import Foundation
import Logging
import ObjectMail
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The server's admin socket (Dovecot's doveadm-server socket in base_dir): `objectmail
/// metacache …` sends one request line and reads the answer, so the commands act on the running
/// server's users. Requests are served one at a time on a thread of their own, never on an event loop;
/// `objectmail lda` deliveries each get a thread (`LDAConnection`), since they also carry a message.
final class AdminServer: Sendable {
    let path: String
    private let descriptor: Int32
    private let stopped = Mutex(false)

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    static func start(path: String, storage: MailStorage, deliveries: LocalDeliveryAgent, logger: Logger) throws -> AdminServer {
        let server = AdminServer(path: path, descriptor: try UnixSocket.listen(at: path))
        let thread = Thread { server.serve(storage: storage, deliveries: deliveries, logger: logger) }
        thread.name = "admin socket"
        thread.start()
        return server
    }

    private func serve(storage: MailStorage, deliveries: LocalDeliveryAgent, logger: Logger) {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 {
                if stopped.withLock({ $0 }) { return }
                if errno == EINTR { continue }
                logger.error("admin socket \(path): accept failed: \(String(cString: strerror(errno)))")
                return
            }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let request = UnixSocket.readLine(client, limit: 1 << 20) ?? ""
            if request.hasPrefix("lda\t") {
                LDAConnection.start(client: client, line: String(request.dropFirst(4)), agent: deliveries, logger: logger)
                continue
            }
            let answer = Mutex("")
            let done = DispatchSemaphore(value: 0)
            Task {
                let text = await AdminRequest.answer(request, storage: storage, logger: logger)
                answer.withLock { $0 = text }
                done.signal()
            }
            done.wait()
            UnixSocket.writeAll(client, answer.withLock { $0 })
            close(client)
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        unlink(path)
    }
}
