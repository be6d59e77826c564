import Config

/// Where the server keeps its runtime files: Dovecot's `base_dir`. The admin socket that
/// `objectmail metacache …` talks to is `<base_dir>/objectmail-admin`.
enum AdminSettings {
    static let definitions: [SettingDefinition] = [
        SettingDefinition(
            "base_dir", .string, default: "var/run/objectmail",
            "Runtime directory: the admin socket (objectmail-admin) and master.pid live here; relative paths start at the start directory."),
        SettingDefinition(
            "doveadm_password", .string,
            "Password of the doveadm HTTP API (service doveadm { inet_listener http }): HTTP Basic with user doveadm.",
            secrecy: .whole),
        SettingDefinition(
            "doveadm_api_key", .string,
            "Key of the doveadm HTTP API: `Authorization: X-Dovecot-API <base64 of the key>`.", secrecy: .whole)
    ]

    static func socketPath(_ settings: Settings) -> String {
        StoragePipelines.absolutePath(settings.string("base_dir")) + "/objectmail-admin"
    }

    /// What the server creates in base_dir before it gives root up (`PrivilegeDrop`): the mail user must be able
    /// to remove the pid file at stop and serve the admin socket.
    static func rootOwnedPaths(_ settings: Settings) -> [String] {
        let base = StoragePipelines.absolutePath(settings.string("base_dir"))
        return [base, base + "/master.pid", socketPath(settings)]
    }
}
