import Config

/// Dovecot's settings about the processes and users mail runs as. One objectmail process serves every
/// connection, and it does not yet change user after binding its ports: these are accepted so that a
/// Dovecot configuration runs unchanged, and `config -a` says why each has no effect.
enum ProcessSettings {
    static let privilegeDrop = "privilege drop is a later step: the server keeps the user and group that started it"

    static let definitions: [SettingDefinition] = [
        SettingDefinition("verbose_proctitle", .bool, default: "no",
                          "Dovecot shows each process's user and address in ps; one process serves every connection here, so there is "
                            + "no per-connection process title (the metrics listener reports connection counts).", effect: .none),
        SettingDefinition("mail_uid", .string, "User that mail is accessed as; \(privilegeDrop).", effect: .none),
        SettingDefinition("mail_gid", .string, "Group that mail is accessed as; \(privilegeDrop).", effect: .none),
        SettingDefinition("first_valid_uid", .number, default: "500", "Lowest uid mail may be accessed as; \(privilegeDrop).", effect: .none),
        SettingDefinition("last_valid_uid", .number, default: "0", "Highest uid mail may be accessed as (0: none); \(privilegeDrop).",
                          effect: .none),
    ]
}

/// Dovecot settings the seeds use that this build does not honour yet: still refused, but with the
/// reason instead of "unknown setting", so an operator knows it is a gap rather than a typo.
enum PendingSettings {
    static let reasons: [String: String] = [
        "sieve": "Sieve is not implemented yet (a separate issue)",
    ]
}
