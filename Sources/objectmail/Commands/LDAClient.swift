import ArgumentParser
import Config
import Foundation
import ObjectMail
import ObjectStore
import Server

#if canImport(Glibc)
    import Glibc
#endif

/// The command line side of `objectmail lda`: reads the message (stdin or -p), converted as dovecot-lda reads it,
/// into memory or a spool file, then hands it to the running server over the admin socket and returns its answer.
enum LDAClient {
    /// The message as read: in memory up to the spool threshold, else in `spool`.
    struct Message {
        var bytes: [UInt8] = []
        var spool: SpoolFile?
        var size = 0
        var fromLineSender: String?
    }

    /// Writes `text` to stderr (as dovecot-lda -e does) and gives the exit to throw.
    static func fail(_ text: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
        return ExitCode(code)
    }

    static func deliver(settings: Settings, input path: String?, request: (Message) -> LDARequest) throws -> LDAResult {
        let configuration = LMTPConfiguration(settings: settings.forProtocol("lda"))
        let descriptor = path.map { open($0, O_RDONLY | O_CLOEXEC) } ?? STDIN_FILENO
        guard descriptor >= 0 else {
            throw fail("Can't open delivery mail \(path ?? ""): \(String(cString: strerror(errno)))", code: LDAExit.temporaryFailure)
        }
        defer { if path != nil { close(descriptor) } }
        let message: Message
        do {
            guard let read = try read(descriptor, limit: configuration.maxMessageSize, spooling: configuration.spool) else {
                return LDAResult(.tooLarge, LDAResult.tooLargeText)
            }
            message = read
        } catch {
            throw fail("Can't read the delivery mail: \(error)", code: LDAExit.temporaryFailure)
        }
        return try exchange(request(message), message, socket: AdminSettings.socketPath(settings))
    }

    /// Reads to the end, converting as dovecot-lda does. Past `limit` (this configuration's quota_max_mail_size or the
    /// built-in limit; the server checks its own again) the rest is read and dropped, so the MTA's write does not
    /// fail, and nil is returned: the spool never grows beyond what could be delivered.
    static func read(_ descriptor: Int32, limit: Int, spooling spoolConfiguration: SpoolConfiguration) throws -> Message? {
        var input = LDAMessageInput()
        var message = Message()
        var tooLarge = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        func take(_ converted: [UInt8]) throws {
            guard !tooLarge, !converted.isEmpty else { return }
            message.size += converted.count
            if message.size > limit {
                tooLarge = true
                (message.bytes, message.spool) = ([], nil)
            } else if let spool = message.spool {
                try spool.append(converted)
            } else if message.size > spoolConfiguration.threshold {
                let spool = try SpoolFile.create(in: spoolConfiguration.directory)
                try spool.append(message.bytes + converted)
                (message.bytes, message.spool) = ([], spool)
            } else {
                message.bytes += converted
            }
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ObjectStoreError.io(key: "the input", detail: String(cString: strerror(errno))) }
            if count == 0 { break }
            try take(input.feed(Array(buffer[0..<count])))
        }
        try take(input.finish())
        message.fromLineSender = input.fromLineSender
        return tooLarge ? nil : message
    }

    /// The exchange described at `LDARequest`.
    static func exchange(_ request: LDARequest, _ message: Message, socket path: String) throws -> LDAResult {
        let connection: Int32
        do {
            connection = try UnixSocket.connect(to: path)
        } catch let failure as UnixSocket.Failure {
            let advice =
                failure.code == EACCES
                ? "run objectmail lda as the server's user (mail_uid) or root"
                : "the server is not running, or runs with another base_dir (-c)"
            throw fail("Can't reach the server: \(failure): \(advice); nothing delivered, try again later", code: LDAExit.temporaryFailure)
        }
        defer { close(connection) }
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        guard UnixSocket.writeAll(connection, "lda\t\(json)\n") else { throw noAnswer(path) }
        var line = UnixSocket.readLine(connection, limit: 1 << 16)
        if line == "+" {
            guard try send(message, to: connection) else { throw noAnswer(path) }
            line = UnixSocket.readLine(connection, limit: 1 << 16)
        }
        guard let line, let result = try? JSONDecoder().decode(LDAResult.self, from: Data(line.utf8)) else { throw noAnswer(path) }
        return result
    }

    private static func send(_ message: Message, to connection: Int32) throws -> Bool {
        guard let spool = message.spool else { return message.bytes.withUnsafeBytes { UnixSocket.writeAll(connection, $0) } }
        var offset: Int64 = 0
        while offset < spool.size {
            let piece = try spool.read(count: 256 * 1024, at: offset)
            guard !piece.isEmpty, piece.withUnsafeBytes({ UnixSocket.writeAll(connection, $0) }) else { return false }
            offset += Int64(piece.count)
        }
        return true
    }

    /// The server went away during the delivery: whether it saved the message is unknown, so the MTA tries again
    /// (a duplicate is possible, a loss is not).
    private static func noAnswer(_ path: String) -> ExitCode {
        fail("No answer from the server on \(path); try again later", code: LDAExit.temporaryFailure)
    }
}
