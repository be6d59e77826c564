import Foundation
import Logging

/// One place log lines are written to: a file opened for appending, stderr, or syslog.
/// Writes are serialised by a lock so that lines from many sessions never interleave.
final class LogDestination: Sendable {
    private enum Target {
        case file(FileHandle)
        case syslog
    }

    private let target: Target
    private let lock = NSLock()

    init(path: String) throws {
        if path == "syslog" {
            openlog("objectmail", LOG_PID | LOG_NDELAY, LOG_MAIL)
            target = .syslog
            return
        }
        if path == "/dev/stderr" || path.isEmpty {
            target = .file(FileHandle.standardError)
            return
        }
        if !FileManager.default.fileExists(atPath: path) {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw LogSetupError(path: path, reason: "cannot create the file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw LogSetupError(path: path, reason: "cannot open the file for writing")
        }
        handle.seekToEndOfFile()
        target = .file(handle)
    }

    func write(_ line: String, level: Logger.Level) {
        lock.lock()
        defer { lock.unlock() }
        switch target {
        case .file(let handle):
            handle.write(Data((line + "\n").utf8))
        case .syslog:
            withVaList([line]) { vsyslog(Self.priority(level), "%s", $0) }
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

