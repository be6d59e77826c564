import Foundation
import Primitives

#if canImport(Glibc)
    import Glibc
#endif

/// Sends mail the server writes itself (Sieve's redirect, reject and vacation) to `submission_host` over SMTP, as
/// Dovecot's smtp-submit does: EHLO (HELO when refused), MAIL FROM, RCPT TO, DATA, QUIT. Each message is one
/// short-lived connection on a thread of `pool` (blocking socket calls with a timeout, never on an event loop or a
/// cooperative thread).
struct SMTPSubmission: Sendable, Equatable {
    /// `host:port` (port 25 when none is given), as `submission_host` names it.
    var host: String
    var port: UInt16
    /// Our name in EHLO (`hostname`).
    var heloName: String
    var timeout: Duration = .seconds(30)

    static let pool = BlockingPool(threads: 2)

    /// nil for an empty setting; `host[:port]`, `[v6address]:port`.
    init?(submissionHost: String, heloName: String) {
        var text = Substring(submissionHost.trimmingCharacters(in: .whitespaces))
        guard !text.isEmpty else { return nil }
        var port: UInt16 = 25
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = UInt16(rest.dropFirst()) ?? 25 }
            text = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            port = UInt16(text[text.index(after: colon)...]) ?? 25
            text = text[..<colon]
        }
        self.host = String(text)
        self.port = port
        self.heloName = heloName
    }

    /// What the server answered when it refused the message.
    enum Failure: Error, CustomStringConvertible {
        /// A 4xx answer, or no connection / no answer: the sender should retry.
        case temporary(String)
        /// A 5xx answer.
        case permanent(String)

        var description: String {
            switch self {
            case .temporary(let text), .permanent(let text): text
            }
        }
    }

    func send(from sender: String, to recipient: String, message: [UInt8]) async throws(Failure) {
        let submission = self
        let result = try? await Self.pool.run { () -> Result<Void, Failure> in
            Result { () throws(Failure) in try submission.sendBlocking(from: sender, to: recipient, message: message) }
        }
        guard let result else { throw .temporary("the submission pool is not running") }
        try result.get()
    }

    private func sendBlocking(from sender: String, to recipient: String, message: [UInt8]) throws(Failure) {
        let connection = try Connection(host: host, port: port, timeout: timeout)
        defer { connection.close() }
        try connection.expect(220)
        try connection.write("EHLO \(heloName)\r\n")
        if (try? connection.expect(250)) == nil {
            try connection.write("HELO \(heloName)\r\n")
            try connection.expect(250)
        }
        try connection.write("MAIL FROM:<\(sender)>\r\n")
        try connection.expect(250)
        try connection.write("RCPT TO:<\(recipient)>\r\n")
        try connection.expect(250, 251)
        try connection.write("DATA\r\n")
        try connection.expect(354)
        try connection.write(Self.dotStuffed(message))
        try connection.expect(250)
        try? connection.write("QUIT\r\n")
    }

    /// CRLF line ends, a leading dot doubled, and the final `.` line.
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + 64)
        var lineStart = true
        var previous: UInt8 = 0
        for byte in message {
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") { out.append(UInt8(ascii: "\r")) }
            if lineStart, byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
            previous = byte
        }
        if !lineStart { out += Array("\r\n".utf8) }
        return out + Array(".\r\n".utf8)
    }

    /// One blocking TCP connection with send and receive timeouts.
    private final class Connection {
        let descriptor: Int32
        var buffer: [UInt8] = []

        init(host: String, port: UInt16, timeout: Duration) throws(Failure) {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_family = AF_UNSPEC
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
                throw .temporary("cannot resolve \(host)")
            }
            defer { freeaddrinfo(list) }
            var seconds = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
            var entry: UnsafeMutablePointer<addrinfo>? = first
            var lastError = "no address"
            while let address = entry {
                let candidate = socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
                if candidate >= 0 {
                    setsockopt(candidate, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
                    setsockopt(candidate, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
                    if connect(candidate, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                        descriptor = candidate
                        return
                    }
                    lastError = String(cString: strerror(errno))
                    Glibc.close(candidate)
                }
                entry = address.pointee.ai_next
            }
            throw .temporary("connect(\(host):\(port)) failed: \(lastError)")
        }

        func close() { Glibc.close(descriptor) }

        func write(_ text: String) throws(Failure) { try write(Array(text.utf8)) }

        func write(_ bytes: [UInt8]) throws(Failure) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { throw .temporary("write to the submission server failed: \(String(cString: strerror(errno)))") }
                offset += written
            }
        }

        /// Reads one reply (all its lines) and checks its code.
        func expect(_ codes: Int...) throws(Failure) {
            var lines: [String] = []
            while true {
                let line = try readLine()
                lines.append(line)
                // "250-…" continues, "250 …" (or a bare code) ends the reply.
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { break }
            }
            let last = lines.last ?? ""
            let code = Int(last.prefix(3)) ?? 0
            guard !codes.contains(code) else { return }
            if (400..<500).contains(code) || code == 0 { throw .temporary(last) }
            throw .permanent(last)
        }

        private func readLine() throws(Failure) -> String {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard buffer.count < 64 * 1024 else { throw .temporary("the submission server's reply line is too long") }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw .temporary("the submission server closed the connection or did not answer") }
                buffer += chunk[..<count]
            }
        }
    }
}
