import Config

/// The obox storage settings this build honours. `serve` builds both pipelines from them and checks
/// that the store answers; the storage core reads them for every user.
enum StorageSettings {
    static let pluginDefinitions: [SettingDefinition] = [
        SettingDefinition("obox_fs", .string, default: "fscache:512M:var/cache/mails:posix:var/objects",
                          "The object-store pipeline for mail objects (fscache:SIZE:DIR:…, compress:gz:LEVEL:…, s3:URL, posix:DIR).",
                          secrecy: .urlCredentials),
        SettingDefinition("obox_index_fs", .string, default: "compress:gz:6:posix:var/objects",
                          "The object-store pipeline for index bundles; normally compress:gz:6: in front of the same store.",
                          secrecy: .urlCredentials),
    ]
}
