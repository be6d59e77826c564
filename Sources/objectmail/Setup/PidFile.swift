import Config
import Foundation

/// `<base_dir>/master.pid`, as Dovecot keeps it: written once the server listens, removed at a clean stop, and read
/// by `objectmail stop|reload|log reopen` to find the server (as `doveadm stop` does).
struct PidFile {
    let path: String

    init(settings: Settings) {
        path = StoragePipelines.absolutePath(settings.string("base_dir")) + "/master.pid"
    }

    /// The running server's process id, or nil when the file is missing or names a process that is gone.
    func runningServer() -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, Self.runs(pid),
            Self.isThisProgram(pid)
        else { return nil }
        return pid
    }

    /// After a restart of the machine or container the number may belong to another program: only a process of
    /// this executable (also after it was replaced on disk by an upgrade) is taken for the server.
    static func isThisProgram(_ pid: Int32) -> Bool {
        func executable(_ process: String) -> String? {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(process)/exe"))
                .map { $0.hasSuffix(" (deleted)") ? String($0.dropLast(" (deleted)".count)) : $0 }
        }
        guard let theirs = executable(String(pid)) else { return true } // another user's process: cannot tell
        return theirs == executable("self")
    }

    /// Alive and not a zombie: a server that has exited stays in the process table until its parent (a shell, a
    /// test harness) collects it, and has stopped all the same.
    static func runs(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return !stat[close...].hasPrefix(") Z")
    }

    func write() throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("\(ProcessInfo.processInfo.processIdentifier)\n".utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Removes the file if it still names this process.
    func remove() {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == ProcessInfo.processInfo.processIdentifier
        else { return }
        unlink(path)
    }
}
