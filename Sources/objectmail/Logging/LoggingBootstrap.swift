import Config
import Foundation
import Logging
import Synchronization

/// Points swift-log at the destinations the configuration names. `start` bootstraps swift-log once per
/// process; `reload` (SIGHUP) and `reopen` (SIGUSR1) change where the lines go afterwards.
enum LoggingBootstrap {
    private static let targets = LogTargets()

    /// Reopens every log file (SIGUSR1, as Dovecot does after a rotation); says which could not be reopened.
    static func reopen() -> [any Error] {
        targets.current.destinations.compactMap { destination in
            do { try destination.reopen() } catch { return error }
            return nil
        }
    }

    /// The log files the settings name (not stderr, not syslog).
    static func filePaths(_ settings: Settings) -> [String] {
        ["log_path", "info_log_path", "debug_log_path"].map { settings.string($0) }.filter { $0.hasPrefix("/") && $0 != "/dev/stderr" }
    }

    static func start(with settings: Settings) throws {
        try reload(with: settings)
        let targets = self.targets
        LoggingSystem.bootstrap { label in ObjectMailLogHandler(label: label, targets: targets) }
    }

    /// Makes `log_path`, `info_log_path`, `debug_log_path`, `mail_debug` and `mail_log_prefix` those of
    /// `settings`. Files already open under the same path stay open; nothing changes when one cannot be opened.
    static func reload(with settings: Settings) throws {
        let errorPath = settings.string("log_path")
        let infoPath = settings.string("info_log_path").isEmpty ? errorPath : settings.string("info_log_path")
        let debugPath = settings.string("debug_log_path").isEmpty ? infoPath : settings.string("debug_log_path")
        var prefix: MailLogPrefix?
        if settings.isSet("mail_log_prefix") {
            let template = settings.string("mail_log_prefix")
            if let problem = MailLogPrefix.problem(in: template) {
                throw ConfigError("mail_log_prefix: \(problem)", at: settings.location(of: "mail_log_prefix"))
            }
            prefix = MailLogPrefix(template: template)
        }
        let previous = targets.current
        var opened: [String: LogDestination] = [:]
        func destination(_ path: String) throws -> LogDestination {
            // syslog is opened again, so a changed syslog_facility applies.
            if let existing = opened[path] ?? (path == "syslog" ? nil : previous.destination(at: path)) {
                opened[path] = existing
                return existing
            }
            let created = try LogDestination(path: path, syslogFacility: SyslogFacility.names[settings.string("syslog_facility")] ?? LOG_MAIL)
            opened[path] = created
            return created
        }
        let errors = try destination(errorPath)
        let info = try destination(infoPath)
        let debug = try destination(debugPath)
        targets.replace(
            with: LogTargets.State(
                errors: errors, info: info, debug: debug,
                level: settings.bool("mail_debug") ? .debug : .info, mailPrefix: prefix,
                timestampFormat: settings.isSet("log_timestamp") ? settings.string("log_timestamp") : nil))
    }
}

/// The log configuration in force. Handlers read it for every line, so a reload reaches loggers made before it.
final class LogTargets: Sendable {
    struct State: Sendable {
        var errors: LogDestination
        var info: LogDestination
        var debug: LogDestination
        var level: Logger.Level
        /// `mail_log_prefix` when the configuration sets it; else the built-in `label(user)<session>: `.
        var mailPrefix: MailLogPrefix?
        /// `log_timestamp` when set.
        var timestampFormat: String? = nil

        var destinations: [LogDestination] {
            var unique: [LogDestination] = []
            for destination in [errors, info, debug] where !unique.contains(where: { $0 === destination }) { unique.append(destination) }
            return unique
        }

        func destination(at path: String) -> LogDestination? {
            destinations.first { $0.path == path }
        }
    }

    private let state = Mutex(State(errors: .standardError, info: .standardError, debug: .standardError, level: .info))

    var current: State { state.withLock { $0 } }

    func replace(with new: State) {
        state.withLock { $0 = new }
    }
}
