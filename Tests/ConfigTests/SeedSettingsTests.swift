import Foundation
import Testing

@testable import Config

/// Obsolete names as doveconf 2.3 treats them, `protocol NAME { }` filters, word lists and settings
/// accepted without effect: what the seeds' configurations need from the registry.
@Suite struct SeedSettingsTests {
    /// The test registry with what these tests add: protocol filters, services, auth and plugin words.
    static let registry: SettingsRegistry = {
        var registry = testRegistry
        registry.register([
            SettingDefinition("protocols", .list, default: "lmtp", "Protocols."),
            SettingDefinition("ssl_cert", .string, "Certificate."),
            SettingDefinition("auth_mechanisms", .words(["plain", "login"]), default: "plain", "Mechanisms."),
            SettingDefinition("imap_idle_notify_interval", .time, default: "2 mins", "IDLE."),
            SettingDefinition("verbose_proctitle", .bool, default: "no", "Titles.", effect: .none)
        ])
        registry.register(
            section: SectionDefinition(
                "service", naming: .required, "Services.",
                settings: [
                    SettingDefinition("process_limit", .number, "Processes.", effect: .none),
                    SettingDefinition("user", .string, "User.", effect: .none)
                ],
                sections: [
                    SectionDefinition(
                        "inet_listener", naming: .required, "Listener.",
                        settings: [
                            SettingDefinition("port", .number, default: "0", "Port.")
                        ])
                ]))
        registry.registerProtocolFilter(names: ["imap", "pop3", "lmtp", "lda"], overridable: ["mail_plugins"])
        registry.registerPending(["quota_warning": "quota warnings are not implemented yet"])
        return registry
    }()

    @Test func oldNamesAreTranslatedWithDoveconfsWarnings() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "CERT".write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        let settings = try Self.registry.load(
            text: """
                protocols = imaps lmtp
                ssl_cert_file = cert.pem
                ssl_protocols = !SSLv3
                ssl_dh_parameters_length = 4096
                login_max_processes_count = 128
                auth default {
                  mechanisms = plain login
                  passdb sql {
                    args = /etc/dovecot/sql.conf
                  }
                  user = dovecot-auth
                }
                """, file: directory + "/f.conf")
        #expect(
            settings.warnings.map(\.message) == [
                "'imaps' protocol can no longer be specified (use protocols=imap). to disable non-ssl imap, "
                    + "use service imap-login { inet_listener imap { port=0 } }",
                "ssl_cert_file has been replaced by ssl_cert = <file",
                "ssl_protocols has been replaced by ssl_min_protocol",
                "ssl_dh_parameters_length is no longer needed",
                "login_max_processes_count has been replaced by service { process_limit }",
                "add auth_ prefix to all settings inside auth {} and remove the auth {} section completely",
                "auth_user has been replaced by service auth { user }",
                "passdb sql {} has been replaced by passdb { driver=sql }"
            ])
        #expect(settings.warnings[1].description == "Obsolete setting in \(directory)/f.conf:2: ssl_cert_file has been replaced by ssl_cert = <file")
        #expect(settings.list("protocols") == ["lmtp", "imap"])
        #expect(settings.string("ssl_cert") == "CERT")
        #expect(settings.list("auth_mechanisms") == ["plain", "login"])
        let services = settings.sections("service")
        #expect(services.first { $0.name == "imap-login" && $0.isSet("process_limit") }?.number("process_limit") == 128)
        #expect(services.contains { $0.name == "imap-login" && $0.sections("inet_listener").first?.number("port") == 0 })
        #expect(services.first { $0.name == "auth" }?.string("user") == "dovecot-auth")
        #expect(settings.sections("passdb").first?.string("driver") == "sql")
    }

    @Test func namesDoveconfRefusesStayUnknown() {
        #expect(throws: ConfigError("Unknown setting: mail_extra_groups", at: SourceLocation(file: "f.conf", line: 1))) {
            try Self.registry.load(text: "mail_extra_groups = mail\n", file: "f.conf")
        }
    }

    @Test func protocolFiltersOverrideForTheirProtocolOnly() throws {
        let settings = try Self.registry.load(
            text: """
                protocol imap {
                  mail_plugins = $mail_plugins imap_quota
                  imap_idle_notify_interval = 5s
                }
                mail_plugins = quota
                """)
        // $mail_plugins is what was set before the filter, as in Dovecot; the filter wins wherever it is.
        #expect(settings.forProtocol("imap").list("mail_plugins") == ["imap_quota"])
        #expect(settings.forProtocol("imap").milliseconds("imap_idle_notify_interval") == 5000)
        #expect(settings.forProtocol("pop3").list("mail_plugins") == ["quota"])
        #expect(settings.list("mail_plugins") == ["quota"])
        let printed = SettingsPrinter().render(settings, mode: .nonDefault)
        #expect(printed.contains("protocol imap {\n  imap_idle_notify_interval = 5s\n  mail_plugins = imap_quota\n}\n"))
    }

    @Test func aGlobalSettingAfterAFilterThatSetItIsPointedOut() throws {
        let settings = try Self.registry.load(text: "protocol lmtp {\n  mail_plugins = $mail_plugins\n}\nmail_plugins = quota\n", file: "f.conf")
        #expect(
            settings.warnings.map(\.description) == [
                "f.conf line 4: Global setting mail_plugins won't change the setting inside an earlier filter at f.conf line 2 "
                    + "(if this is intentional, avoid this warning by moving the global setting before f.conf line 2)"
            ])
        #expect(settings.forProtocol("lmtp").list("mail_plugins") == [])
    }

    @Test func protocolFiltersRefuseUnknownProtocolsAndSharedSettings() {
        #expect(
            throws: ConfigError(
                "Unknown protocol: imapp (did you mean imap?) (known: imap, pop3, lmtp, lda)",
                at: SourceLocation(file: "<text>", line: 1))
        ) {
            try Self.registry.load(text: "protocol imapp {\n}\n")
        }
        #expect(
            throws: ConfigError(
                "ssl cannot differ per protocol (one process shares it between protocols): set it outside protocol pop3 { }",
                at: SourceLocation(file: "<text>", line: 2))
        ) {
            try Self.registry.load(text: "protocol pop3 {\n  ssl = no\n}\n")
        }
    }

    @Test func wordListsNameWhatIsBuilt() {
        #expect(
            throws: ConfigError(
                "Invalid value for auth_mechanisms: 'cram-md5' is not built into this server; available: plain login",
                at: SourceLocation(file: "<text>", line: 1))
        ) {
            try Self.registry.load(text: "auth_mechanisms = plain cram-md5\n")
        }
        #expect(
            throws: ConfigError(
                "Invalid value for auth_mechanisms: 'plian' is not built into this server (did you mean plain?); available: plain login",
                at: SourceLocation(file: "<text>", line: 1))
        ) {
            try Self.registry.load(text: "auth_mechanisms = plian\n")
        }
    }

    @Test func pendingSettingsSayWhyTheyAreRefused() {
        #expect(
            throws: ConfigError(
                "Not supported yet in section plugin: quota_warning: quota warnings are not implemented yet",
                at: SourceLocation(file: "<text>", line: 2))
        ) {
            try Self.registry.load(text: "plugin {\n  quota_warning = storage=95%% quota-warning 95 %u\n}\n")
        }
    }

    @Test func allShowsWhySettingsWithoutEffectAreAccepted() throws {
        let settings = try Self.registry.load(text: "verbose_proctitle = yes\n")
        let printed = SettingsPrinter().render(settings, mode: .all)
        #expect(printed.contains("# accepted without effect: Titles.\nverbose_proctitle = yes\n"))
        #expect(!SettingsPrinter().render(settings, mode: .nonDefault).contains("#"))
    }
}
