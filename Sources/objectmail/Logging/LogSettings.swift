import Config

/// Dovecot's log settings, honoured by `LoggingBootstrap`.
enum LogSettings {
    static let definitions: [SettingDefinition] = [
        SettingDefinition("log_path", .string, default: "/dev/stderr",
                          "Where errors go: a file, /dev/stderr, or syslog."),
        SettingDefinition("info_log_path", .string,
                          "Where informational messages go; empty means the same as log_path."),
        SettingDefinition("debug_log_path", .string,
                          "Where debug messages go; empty means the same as info_log_path."),
        SettingDefinition("mail_log_prefix", .string, default: "%s(%u)<%{session}>: ",
                          "Start of lines about a logged-in user: %s service, %u user, %n, %d, %{session}, %p pid, %r/%l addresses; "
                            + "unset, <%{session}> is left out when there is no session. Dovecot's default adds <%{pid}>."),
        SettingDefinition("mail_debug", .bool, default: "no",
                          "Log debug messages (storage, protocol sessions, object store requests)."),
    ]
}
