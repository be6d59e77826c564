@testable import Config

/// A registry shaped like the server's, with sections of each naming kind.
let testRegistry: SettingsRegistry = {
    var registry = SettingsRegistry()
    registry.register([
        SettingDefinition("log_path", .string, default: "/dev/stderr", "Errors."),
        SettingDefinition("info_log_path", .string, "Info."),
        SettingDefinition("mail_debug", .bool, default: "no", "Debug."),
        SettingDefinition("mail_plugins", .list, "Plugins."),
        SettingDefinition("metacache_max_space", .size, default: "1G", "Space."),
        SettingDefinition("metacache_upload_interval", .time, default: "5min", "Interval."),
        SettingDefinition("mail_prefetch_count", .number, default: "10", "Prefetch."),
        SettingDefinition("ssl", .choice(["yes", "no", "required"]), default: "yes", "TLS."),
        SettingDefinition("ssl_key_password", .string, "Key password.", secrecy: .whole),
        SettingDefinition("pass_attrs", .string, "Attributes.")
    ])
    registry.registerPlugin([
        SettingDefinition("obox_fs", .string, "Mail pipeline.", secrecy: .urlCredentials),
        SettingDefinition("obox_index_fs", .string, "Index pipeline.", secrecy: .urlCredentials)
    ])
    registry.register(
        section: SectionDefinition(
            "namespace", naming: .required, "Namespaces.",
            settings: [
                SettingDefinition("separator", .string, default: "/", "Separator."),
                SettingDefinition("inbox", .bool, default: "no", "Holds INBOX.")
            ],
            sections: [
                SectionDefinition(
                    "mailbox", naming: .required, "Mailboxes.",
                    settings: [
                        SettingDefinition("special_use", .string, "Special use."),
                        SettingDefinition("auto", .choice(["no", "create", "subscribe"]), default: "no", "Auto.")
                    ])
            ]))
    registry.register(
        section: SectionDefinition(
            "passdb", naming: .optional, "Password databases.",
            settings: [
                SettingDefinition("driver", .string, "Driver."),
                SettingDefinition("args", .string, "Arguments.")
            ]))
    return registry
}()
