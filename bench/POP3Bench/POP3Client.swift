import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal blocking POP3 client for the benchmark: one TCP socket, line reads from a buffer.
/// Runs on its own thread, never on the cooperative pool the server's sessions use.
final class POP3Client {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw BenchError("connect to 127.0.0.1:\(port) failed: errno \(errno)") }
        _ = try line()
    }

    deinit { close(fd) }

    /// Sends a command and returns its status line; `-ERR` throws.
    @discardableResult
    func command(_ text: String) throws -> String {
        let bytes = Array((text + "\r\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchError("send failed") }
            sent += n
        }
        let reply = try line()
        guard reply.hasPrefix("+") else { throw BenchError("\(text.split(separator: " ").first ?? ""): \(reply)") }
        return reply
    }

    /// A multi-line answer's octets (dot-stuffed, terminator excluded).
    func multiline() throws -> Int {
        var octets = 0
        while true {
            let (start, end) = try nextLine()
            if end - start == 1 && buffer[start] == UInt8(ascii: ".") { return octets }
            octets += end - start + 2
        }
    }

    private func line() throws -> String {
        let (start, end) = try nextLine()
        return String(decoding: buffer[start..<end], as: UTF8.self)
    }

    /// The next line's bounds in `buffer`, CRLF excluded.
    private func nextLine() throws -> (Int, Int) {
        while true {
            if let lf = buffer[position...].firstIndex(of: 10) {
                let start = position
                position = lf + 1
                return (start, lf > start && buffer[lf - 1] == 13 ? lf - 1 : lf)
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            var chunk = [UInt8](repeating: 0, count: 256 * 1024)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchError("connection closed") }
            buffer += chunk[..<n]
        }
    }
}

/// A port nothing listens on now (bound to port 0, then released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw BenchError("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs blocking client work on a thread of its own and awaits it.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
