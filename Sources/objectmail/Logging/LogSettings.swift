import Config

/// Dovecot's log settings, honoured by `LoggingBootstrap`.
enum LogSettings {
    static let definitions: [SettingDefinition] = [
        SettingDefinition(
            "log_path", .string, default: "/dev/stderr",
            "Where errors go: a file, /dev/stderr, or syslog."),
        SettingDefinition(
            "info_log_path", .string,
            "Where informational messages go; empty means the same as log_path."),
        SettingDefinition(
            "debug_log_path", .string,
            "Where debug messages go; empty means the same as info_log_path."),
        SettingDefinition(
            "mail_log_prefix", .string, default: "%s(%u)<%{session}>: ",
            "Start of lines about a logged-in user: %s service, %u user, %n, %d, %{session}, %p pid, %r/%l addresses; "
                + "unset, <%{session}> is left out when there is no session. Dovecot's default adds <%{pid}>."),
        SettingDefinition(
            "log_timestamp", .string,
            "strftime(3) format starting each line in log files, %{usecs} for microseconds (Dovecot's default is "
                + "\"%b %d %H:%M:%S \"); unset: ISO 8601 UTC with milliseconds and a space."),
        SettingDefinition(
            "syslog_facility", .choice(SyslogFacility.names.keys.sorted()), default: "mail",
            "Syslog facility of the lines when log_path = syslog."),
        SettingDefinition(
            "mail_debug", .bool, default: "no",
            "Log debug messages (storage, protocol sessions, object store requests).")
    ]
}
