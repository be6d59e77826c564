import Foundation
import Logging
import Synchronization

/// One place log lines are written to: a file, stderr, or syslog.
/// Writes are serialised by a lock so that lines from many sessions never interleave.
///
/// A file is opened with O_APPEND, as Dovecot opens its logs: every write lands at the current end, so
/// `logrotate copytruncate` leaves no hole of NULs behind, and `reopen()` (SIGUSR1, Dovecot's log reopen)
/// starts writing to a new file after the old one was moved away.
final class LogDestination: Sendable {
    private enum Target {
        case file(path: String)
        case standardError
        case syslog
    }

    private let target: Target
    /// The open file's descriptor (files only).
    private let descriptor: Mutex<Int32>
    /// The setting's value this destination was opened for.
    let path: String

    /// Where lines go before the configuration is read.
    static let standardError = LogDestination(standardErrorFor: "/dev/stderr")

    private init(standardErrorFor path: String) {
        self.path = path
        target = .standardError
        descriptor = Mutex(STDERR_FILENO)
    }

    /// A reload that stops using a file closes it once the last line being written to it is out.
    deinit {
        if case .file = target { close(descriptor.withLock { $0 }) }
    }

    init(path: String, syslogFacility: Int32 = LOG_MAIL) throws {
        self.path = path
        if path == "syslog" {
            openlog("objectmail", LOG_PID | LOG_NDELAY, syslogFacility)
            target = .syslog
            descriptor = Mutex(-1)
        } else if path == "/dev/stderr" || path.isEmpty {
            target = .standardError
            descriptor = Mutex(STDERR_FILENO)
        } else {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            target = .file(path: path)
            descriptor = Mutex(try Self.open(path))
        }
    }

    private static func open(_ path: String) throws -> Int32 {
        let fd = Foundation.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LogSetupError(path: path, reason: String(cString: strerror(errno))) }
        return fd
    }

    /// Opens the file again by its path (after a rotation moved it); keeps the old one when that fails.
    func reopen() throws {
        guard case .file(let path) = target else { return }
        let fresh = try Self.open(path)
        let old = descriptor.withLock { fd in
            defer { fd = fresh }
            return fd
        }
        close(old)
    }

    func write(_ line: String, level: Logger.Level) {
        if case .syslog = target {
            withVaList([line]) { vsyslog(Self.priority(level), "%s", $0) }
            return
        }
        var bytes = Array((line + "\n").utf8)
        descriptor.withLock { fd in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }

    private static func priority(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: return LOG_DEBUG
        case .info: return LOG_INFO
        case .notice: return LOG_NOTICE
        case .warning: return LOG_WARNING
        case .error: return LOG_ERR
        case .critical: return LOG_CRIT
        }
    }
}

struct LogSetupError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "log file \(path): \(reason)" }
}
