import Config
import Logging
import Synchronization

/// Points swift-log at the destinations the configuration names. Called once per process.
enum LoggingBootstrap {
    /// The files opened, for `reopen()`.
    private static let destinations = Mutex<[LogDestination]>([])

    /// Reopens every log file (SIGUSR1, as Dovecot does after a rotation); says which could not be reopened.
    static func reopen() -> [any Error] {
        destinations.withLock { $0 }.compactMap { destination in
            do { try destination.reopen() } catch { return error }
            return nil
        }
    }

    static func start(with settings: Settings) throws {
        let errorPath = settings.string("log_path")
        let infoPath = settings.string("info_log_path").isEmpty ? errorPath : settings.string("info_log_path")
        let debugPath = settings.string("debug_log_path").isEmpty ? infoPath : settings.string("debug_log_path")
        var opened: [String: LogDestination] = [:]
        func destination(_ path: String) throws -> LogDestination {
            if let existing = opened[path] { return existing }
            let created = try LogDestination(path: path)
            opened[path] = created
            return created
        }
        let errors = try destination(errorPath)
        let info = try destination(infoPath)
        let debug = try destination(debugPath)
        destinations.withLock { $0 = Array(opened.values) }
        let level: Logger.Level = settings.bool("mail_debug") ? .debug : .info
        var prefix: MailLogPrefix?
        if settings.isSet("mail_log_prefix") {
            let template = settings.string("mail_log_prefix")
            if let problem = MailLogPrefix.problem(in: template) {
                throw ConfigError("mail_log_prefix: \(problem)", at: settings.location(of: "mail_log_prefix"))
            }
            prefix = MailLogPrefix(template: template)
        }
        let mailPrefix = prefix
        LoggingSystem.bootstrap { label in
            ObjectMailLogHandler(label: label, logLevel: level, errors: errors, info: info, debug: debug, mailPrefix: mailPrefix)
        }
    }
}
