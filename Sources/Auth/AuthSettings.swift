import Config

/// The authentication settings this module honours, with Dovecot's names and defaults.
public enum AuthSettings {
    static let results = ["return-ok", "return-fail", "return", "continue", "continue-ok", "continue-fail"]

    static let commonDatabaseSettings: [SettingDefinition] = [
        SettingDefinition("driver", .string, "passwd-file, static, sql (sqlite, mysql), ldap, or prefetch (userdb)."),
        SettingDefinition("args", .string, "Driver arguments: a file path, key=value options, or a dovecot-sql.conf.ext path."),
        SettingDefinition("default_fields", .string, "Fields (key=value with %-variables) used when the database has none."),
        SettingDefinition("override_fields", .string, "Fields (key=value with %-variables) that replace what the database returns."),
        SettingDefinition("result_success", .choice(results), default: "return-ok", "What to do when this database finds the user."),
        SettingDefinition("result_failure", .choice(results), default: "continue", "What to do when it does not."),
        SettingDefinition("result_internalfail", .choice(results), default: "continue", "What to do when it cannot answer.")
    ]

    /// The SASL mechanisms this build implements (Server/Login/SASLExchange), as `auth_mechanisms` names them.
    public static let builtMechanisms = ["plain", "login"]

    public static func register(in registry: inout SettingsRegistry) {
        registry.register([
            SettingDefinition(
                "auth_mechanisms", .words(builtMechanisms), default: "plain",
                "SASL mechanisms IMAP and POP3 offer (AUTHENTICATE, AUTH) and accept: plain, login (Dovecot's default: plain)."),
            SettingDefinition(
                "auth_username_format", .string, default: "%Lu",
                "How login names are normalised before any lookup (%Lu: lower case)."),
            SettingDefinition("auth_default_realm", .string, "Domain appended to login names without @domain."),
            SettingDefinition(
                "auth_master_user_separator", .string,
                "Separates the target user from the master user in a login name (user*master)."),
            SettingDefinition(
                "auth_cache_size", .size, default: "0",
                "Memory for the cache of passdb results; 0 disables it."),
            SettingDefinition("auth_cache_ttl", .time, default: "1 hour", "How long a cached successful login stays valid."),
            SettingDefinition(
                "auth_cache_negative_ttl", .time, default: "1 hour",
                "How long a cached failed login (unknown user or wrong password) stays valid."),
            SettingDefinition(
                "auth_failure_delay", .time, default: "2 secs",
                "Delay before answering a failed login; repeated failures from one IP add a growing penalty.")
        ])
        registry.register(
            section: SectionDefinition(
                "passdb", naming: .optional, "A password database, tried in order.",
                settings: commonDatabaseSettings + [
                    SettingDefinition("master", .bool, default: "no", "Only for master users logging in as another user (user*master)."),
                    SettingDefinition(
                        "pass", .bool, default: "no",
                        "For a master passdb: the target user must also exist in the normal passdbs."),
                    SettingDefinition("deny", .bool, default: "no", "Users this passdb finds are refused."),
                    SettingDefinition(
                        "skip", .choice(["never", "authenticated", "unauthenticated"]), default: "never",
                        "Skip this passdb depending on whether an earlier one authenticated the user.")
                ]))
        registry.register(
            section: SectionDefinition(
                "userdb", naming: .optional, "A user database, tried in order.",
                settings: commonDatabaseSettings + [
                    SettingDefinition(
                        "skip", .choice(["never", "found", "notfound"]), default: "never",
                        "Skip this userdb depending on whether an earlier one found the user.")
                ]))
    }
}
