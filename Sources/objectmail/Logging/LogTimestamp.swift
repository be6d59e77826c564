import Foundation

/// `log_timestamp`: Dovecot's strftime(3) format for the start of each line (its default is `%b %d %H:%M:%S `),
/// with `%{usecs}` for the microseconds. Unset, ObjectMail writes ISO 8601 UTC with milliseconds.
enum LogTimestamp {
    static func render(_ format: String, date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        localtime_r(&time, &parts)
        let micros = Int((seconds - seconds.rounded(.down)) * 1_000_000)
        let expanded = format.replacingOccurrences(of: "%{usecs}", with: String(format: "%06d", micros))
        var buffer = [CChar](repeating: 0, count: 256)
        let length = strftime(&buffer, buffer.count, expanded, &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `syslog_facility`: where `log_path = syslog` lines go.
enum SyslogFacility {
    static let names: [String: Int32] = [
        "auth": LOG_AUTH, "authpriv": LOG_AUTHPRIV, "cron": LOG_CRON, "daemon": LOG_DAEMON, "ftp": LOG_FTP, "kern": LOG_KERN,
        "local0": LOG_LOCAL0, "local1": LOG_LOCAL1, "local2": LOG_LOCAL2, "local3": LOG_LOCAL3, "local4": LOG_LOCAL4,
        "local5": LOG_LOCAL5, "local6": LOG_LOCAL6, "local7": LOG_LOCAL7, "lpr": LOG_LPR, "mail": LOG_MAIL, "news": LOG_NEWS,
        "syslog": LOG_SYSLOG, "user": LOG_USER, "uucp": LOG_UUCP
    ]
}
