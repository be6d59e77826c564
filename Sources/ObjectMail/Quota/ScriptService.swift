import Config
import Foundation
import Logging
import ObjectStore
import Primitives
import Synchronization

/// Dovecot's `service NAME { executable = script PATH  user = USER  unix_listener SOCKET { } }`: a program other
/// parts of the server run with arguments through SOCKET. Here nothing connects to a socket: the caller (a quota
/// warning) runs PATH directly as a child process, off the event loops, with a time limit, its output logged.
public struct ScriptService: Sendable, Equatable {
    /// The service's name, for logs.
    public var service: String
    /// The program and the arguments the executable line gives before the caller's.
    public var path: String
    public var fixedArguments: [String]
    /// The service's `user`: a server running as root runs the program as this user; otherwise it runs as the
    /// server's own user, and each run's log line says the setting was not applied.
    public var user: String

    /// How long a script may run before it is killed.
    static let timeout: Duration = .seconds(60)

    /// The script services of a configuration, by the names of their unix_listeners.
    public static func all(in settings: Settings) throws -> [String: ScriptService] {
        var scripts: [String: ScriptService] = [:]
        // The Server module registers `service`; a registry without it (the storage alone) has no script services.
        guard settings.definition.section("service") != nil else { return scripts }
        for service in settings.sections("service") {
            let words = service.string("executable").split(separator: " ").map(String.init)
            guard words.first == "script" else { continue }
            // `script [-OPTIONS] PATH [ARGS]`: Dovecot's script binary takes its own options first.
            let rest = Array(words.dropFirst().drop { $0.hasPrefix("-") })
            guard let path = rest.first else {
                throw ConfigError(
                    "service \(service.name ?? ""): executable = script needs the program's path",
                    at: service.location(of: "executable"))
            }
            let script = ScriptService(
                service: service.name ?? "", path: path, fixedArguments: Array(rest.dropFirst()),
                user: service.string("user"))
            for listener in service.sections("unix_listener") {
                if let name = listener.name { scripts[name] = script }
            }
        }
        return scripts
    }

    /// Runs the program with `arguments` after the fixed ones and logs what it printed. Never throws: a warning
    /// that cannot run is logged, and the mail change that caused it stands.
    func run(_ arguments: [String], logger: Logger) async {
        var executable = path
        var argv = fixedArguments + arguments
        if !user.isEmpty {
            if getuid() == 0 {
                // Drop to the service's user for the child only (util-linux's runuser: no password, no PAM session).
                argv = ["-u", user, "--", path] + argv
                executable = "/usr/sbin/runuser"
            } else {
                logger.debug("service \(service): user = \(user) not applied: the server does not run as root")
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = argv
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            finished.continuation.yield($0.terminationStatus)
            finished.continuation.finish()
        }
        do {
            // Spawning touches the file system (the program's path): not on an event loop.
            try await BlockingPool.fileIO.run { try process.run() }
        } catch {
            logger.error("service \(service): could not run \(path): \(error)")
            return
        }
        // Foundation reads the pipe on its own thread as output arrives, so a chatty script never fills it and no
        // thread waits on it.
        let printed = Mutex((data: Data(), ended: false))
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            printed.withLock { if data.isEmpty { $0.ended = true } else { $0.data.append(data) } }
            if data.isEmpty { handle.readabilityHandler = nil }
        }
        let killer = Task {
            try? await Task.sleep(for: Self.timeout)
            if process.isRunning {
                logger.error("service \(service): \(path) ran longer than \(Self.timeout), killed")
                kill(process.processIdentifier, SIGKILL)
            }
        }
        var status: Int32 = -1
        for await code in finished.stream { status = code }
        killer.cancel()
        // The last output may still be in the pipe when the exit is seen: wait a little for its end.
        for _ in 0..<50 where !printed.withLock({ $0.ended }) { try? await Task.sleep(for: .milliseconds(20)) }
        output.fileHandleForReading.readabilityHandler = nil
        let text = printed.withLock { String(decoding: $0.data, as: UTF8.self) }
        for line in text.split(separator: "\n") where !line.isEmpty {
            logger.info("service \(service): \(path): \(line)")
        }
        if status != 0 { logger.error("service \(service): \(path) failed with status \(status)") }
    }
}
