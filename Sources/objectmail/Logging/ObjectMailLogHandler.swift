import Foundation
import Logging

/// A swift-log handler writing Dovecot-like lines:
/// `2026-11-22T04:16:20.123Z imap(user)<session>: Info: message key=value`.
/// Errors go to log_path, info to info_log_path, debug to debug_log_path.
struct ObjectMailLogHandler: LogHandler {
    var label: String
    var metadata: Logger.Metadata = [:]
    /// Where lines go, the level and the prefix: shared by every logger and swapped by a reload.
    let targets: LogTargets
    /// A level set on this logger itself; otherwise the configuration's (`mail_debug`), as of now.
    private var levelOverride: Logger.Level?

    init(label: String, targets: LogTargets) {
        self.label = label
        self.targets = targets
    }

    var logLevel: Logger.Level {
        get { levelOverride ?? targets.current.level }
        set { levelOverride = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let current = targets.current
        let line = Self.format(
            label: label, level: level, message: "\(event.message)", metadata: merged, date: Date(),
            mailPrefix: current.mailPrefix, timestampFormat: current.timestampFormat)
        switch level {
        case .trace, .debug: current.debug.write(line, level: level)
        case .info, .notice: current.info.write(line, level: level)
        case .warning, .error, .critical: current.errors.write(line, level: level)
        }
    }

    /// The service (label), user and session go in the prefix, the rest of the metadata after the message.
    static func format(
        label: String, level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date,
        mailPrefix: MailLogPrefix? = nil, timestampFormat: String? = nil
    ) -> String {
        var prefix = label
        if let user = metadata["user"] { prefix += "(\(user))" }
        if let session = metadata["session"] { prefix += "<\(session)>" }
        prefix += ": "
        if let mailPrefix, metadata["user"] != nil {
            prefix = mailPrefix.render(label: label, metadata: metadata.mapValues { "\($0)" })
        }
        let rest = metadata.filter { $0.key != "user" && $0.key != "session" }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
        let tail = rest.isEmpty ? "" : " " + rest.joined(separator: " ")
        let stamp = timestampFormat.map { LogTimestamp.render($0, date: date) } ?? timestamp(date) + " "
        return "\(stamp)\(escaped(prefix))\(levelName(level)): \(escaped(message))\(escaped(tail))"
    }

    /// One event is one line whatever it quotes: user names, mailbox names and command text come from clients,
    /// and a CR, LF or NUL in them would let a client forge lines (or cut them) for log readers and fail2ban.
    /// Control characters become `\xNN`.
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "Debug"
        case .info: return "Info"
        case .notice: return "Notice"
        case .warning: return "Warning"
        case .error: return "Error"
        case .critical: return "Fatal"
        }
    }

    private static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}
