import Config
import Testing

@testable import ObjectMail

/// `mail_plugins` decides which features act, as in Dovecot (seed 002: `mail_plugins = $mail_plugins quota`).
@Suite struct MailPluginsTests {
    static let registry: SettingsRegistry = {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        registry.registerProtocolFilter(names: ["imap", "lmtp"], overridable: ["mail_plugins"])
        return registry
    }()

    func configuration(_ text: String) throws -> StorageConfiguration {
        try StorageConfiguration(settings: try Self.registry.load(text: text, file: "test.conf"))
    }

    static let quota = "plugin {\n  quota = count:User quota\n  quota_rule = *:storage=1G\n}\n"

    @Test func quotaActsOnlyWithTheQuotaPlugin() throws {
        #expect(try configuration("mail_plugins = obox quota\n" + Self.quota).quota?.rootName == "User quota")
        #expect(try configuration("").quota == nil)
        #expect(
            throws: ConfigError(
                "quota is set but mail_plugins does not load the quota plugin (mail_plugins = $mail_plugins quota); "
                    + "Dovecot would ignore the quota", at: SourceLocation(file: "test.conf", line: 2))
        ) {
            try configuration(Self.quota)
        }
    }

    @Test func aPluginThisBuildLacksIsAnError() {
        #expect(
            throws: ConfigError(
                "Invalid value for mail_plugins: 'box' is not built into this server (did you mean obox?); "
                    + "available: obox zlib quota imap_quota notify mail_log sieve", at: SourceLocation(file: "test.conf", line: 1))
        ) {
            try configuration("mail_plugins = $mail_plugins box\n")
        }
    }

    @Test func oboxMaxParallelDeletesSizesTheBulkRequests() throws {
        #expect(try configuration("").maxParallelDeletes == 1000)
        #expect(try configuration("plugin {\n  obox_max_parallel_deletes = 100\n}\n").maxParallelDeletes == 100)
    }

    @Test func aProtocolWithOtherStoragePluginsIsToldItGetsTheTopLevels() throws {
        let settings = try Self.registry.load(
            text: "protocol lmtp {\n  mail_plugins = $mail_plugins\n}\nmail_plugins = quota\n"
                + "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n")
        #expect(
            MailPlugins.sharedStorageWarnings(settings, protocols: ["imap", "lmtp"]) == [
                "protocol lmtp: mail_plugins loads none of the storage plugins (quota, zlib, notify, mail_log), but the storage, which one process "
                    + "shares between protocols, runs with the top level's: quota"
            ])
    }
}
