import Config

/// Dovecot's settings about the processes and users mail runs as (`PrivilegeDrop`).
enum ProcessSettings {

    static let definitions: [SettingDefinition] = [
        SettingDefinition(
            "verbose_proctitle", .bool, default: "no",
            "Show the open connections in the process title (ps, /proc/PID/cmdline), refreshed at most once a second: "
                + "objectmail [12 connections: 9 imap, 2 pop3, 1 lmtp], or objectmail [idling]. Dovecot's per-process "
                + "user and address have no equivalent: one process serves every connection. A reload applies it."),
        SettingDefinition(
            "mail_uid", .string,
            "User (name or number) the server runs as after binding its ports; empty: the user that started it. "
                + "One process serves every user, so a userdb's per-user uid is not used."),
        SettingDefinition("mail_gid", .string, "Group the server runs as with mail_uid; empty: mail_uid's primary group."),
        SettingDefinition("first_valid_uid", .number, default: "500", "Lowest uid mail_uid may be."),
        SettingDefinition("last_valid_uid", .number, default: "0", "Highest uid mail_uid may be (0: no limit)."),
        SettingDefinition(
            "mail_allow_root", .bool, default: "no",
            "ObjectMail's own: yes lets the server access mail as root (no mail_uid while started as root, or "
                + "mail_uid = root). Dovecot never does; one process here serves every user, so the default refuses to start.")
    ]
}

/// Dovecot settings the seeds use that this build does not honour yet: still refused, but with the
/// reason instead of "unknown setting", so an operator knows it is a gap rather than a typo.
enum PendingSettings {
    static let reasons: [String: String] = [:]
}
