import ArgumentParser
import Foundation

/// `objectmail stop`, `objectmail reload`, `objectmail log reopen`: doveadm's verbs of the same names. They find the
/// running server through `<base_dir>/master.pid` and send it SIGTERM, SIGHUP or SIGUSR1.
enum ServerSignal {
    static func send(_ number: Int32, options: ConfigOptions) throws -> Int32 {
        let pidFile = PidFile(settings: try options.load())
        guard let pid = pidFile.runningServer() else {
            FileHandle.standardError.write(Data("objectmail: Fatal: the server is not running (no live process in \(pidFile.path))\n".utf8))
            throw ExitCode(1)
        }
        guard kill(pid, number) == 0 else {
            FileHandle.standardError.write(Data("objectmail: Fatal: kill(\(pid)): \(String(cString: strerror(errno)))\n".utf8))
            throw ExitCode(1)
        }
        return pid
    }
}

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop the running server (SIGTERM) and wait until it has exited.")
    @OptionGroup var options: ConfigOptions

    func run() throws {
        let pid = try ServerSignal.send(SIGTERM, options: options)
        // Sessions get 10 seconds to finish and the indexes are uploaded; wait for that, as `doveadm stop` does.
        let deadline = Date().addingTimeInterval(120)
        while PidFile.runs(pid) && Date() < deadline { usleep(100_000) }
        if PidFile.runs(pid) {
            FileHandle.standardError.write(Data("objectmail: Error: process \(pid) still runs after 120 seconds\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Tell the running server to reload (SIGHUP).")
    @OptionGroup var options: ConfigOptions

    func run() throws { _ = try ServerSignal.send(SIGHUP, options: options) }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Log file commands of the running server.",
        subcommands: [Reopen.self])

    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Reopen the log files (SIGUSR1), after a rotation.")
        @OptionGroup var options: ConfigOptions

        func run() throws { _ = try ServerSignal.send(SIGUSR1, options: options) }
    }
}
