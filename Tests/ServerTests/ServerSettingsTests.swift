import Config
import ObjectMail
import Testing

@testable import Server

@Suite struct ServerSettingsTests {
    func load(_ text: String) throws -> Settings {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        ServerSettings.register(in: &registry)
        return try registry.load(text: text, file: "test.conf")
    }

    @Test func listenersOfTheEnabledProtocols() throws {
        let settings = try load(
            """
            protocols = lmtp
            service lmtp {
              inet_listener lmtp {
                address = 127.0.0.1 ::1
                port = 24
              }
              inet_listener disabled {
                port = 0
              }
              unix_listener /var/spool/postfix/private/dovecot-lmtp {
                mode = 0660
                user = postfix
              }
            }
            """)
        let specs = try ListenerSpec.all(from: settings)
        #expect(
            specs == [
                ListenerSpec(service: "lmtp", endpoint: .inet(host: "127.0.0.1", port: 24)),
                ListenerSpec(service: "lmtp", endpoint: .inet(host: "::1", port: 24)),
                ListenerSpec(
                    service: "lmtp",
                    endpoint: .unix(
                        path: "/var/spool/postfix/private/dovecot-lmtp", mode: 0o660,
                        user: "postfix", group: ""))
            ])
        #expect(
            specs.map(\.description) == [
                "lmtp on 127.0.0.1:24", "lmtp on [::1]:24",
                "lmtp on unix:/var/spool/postfix/private/dovecot-lmtp"
            ])
    }

    @Test func protocolsWithoutListenersOrNotImplementedAreErrors() throws {
        let none = try load("protocols = lmtp\n")
        #expect(throws: ConfigError.self) { try ListenerSpec.all(from: none) }
        // Refused by the registry already, as doveconf refuses a protocol it has no binary for.
        let error = try #require(throws: ConfigError.self) {
            try load("protocols = submission lmtp\nservice lmtp {\n inet_listener lmtp {\n port = 24\n }\n}\n")
        }
        #expect(error.description.contains("'submission' is not built into this server; available: lmtp imap pop3"))
        #expect(error.location?.line == 1)
        let badMode = try load("service lmtp {\n unix_listener x {\n mode = 0999\n }\n}\n")
        #expect(throws: ConfigError.self) { try ListenerSpec.all(from: badMode) }
    }

    @Test func lmtpSettings() throws {
        let settings = try load(
            """
            hostname = mx.example.com
            recipient_delimiter = +-
            lmtp_save_to_detail_mailbox = yes
            lda_original_recipient_header = X-Original-To
            plugin {
              quota_max_mail_size = 10M
            }
            """)
        let configuration = LMTPConfiguration(settings: settings)
        #expect(configuration.hostname == "mx.example.com")
        #expect(configuration.maxMessageSize == 10 << 20)
        #expect(configuration.saveToDetailMailbox && !configuration.mailboxAutocreate && configuration.addDeliveredTo)
        #expect(configuration.splitDetail("a-b@c") == ("a@c", "b"))
        #expect(LMTPConfiguration(settings: try load("")).maxMessageSize == LMTPConfiguration.builtinMaxMessageSize)
    }

    @Test func storageSettings() throws {
        let settings = try load(
            """
            mail_location = obox:%2Mu/%2.3Mu/%u:INDEX=~/:CONTROL=~/
            mail_home = /var/vmail/%2Mu/%u
            namespace inbox {
              prefix =
              separator = /
              inbox = yes
              mailbox Trash {
                special_use = \\Trash
                auto = subscribe
              }
              mailbox Archive {
              }
            }
            """)
        let configuration = try StorageConfiguration(settings: settings)
        #expect(configuration.prefixTemplate == "%2Mu/%2.3Mu/%u")
        #expect(configuration.homeTemplate == "/var/vmail/%2Mu/%u")
        #expect(
            configuration.mailboxes == [
                ConfiguredMailbox(name: try MailboxName("Trash"), specialUse: "\\Trash", auto: .subscribe),
                ConfiguredMailbox(name: try MailboxName("Archive"))
            ])
        let defaults = try StorageConfiguration(settings: try load(""))
        #expect(defaults.prefixTemplate == "%8Mu/%u" && defaults.homeTemplate == "var/vmail/%2Mu/%u")
    }

    @Test(arguments: [
        "mail_location = maildir:~/Maildir",
        "mail_location = obox:%8Mu/%u:LAYOUT=fs",
        "namespace inbox {\n  separator = .\n}",
        "namespace inbox {\n  prefix = INBOX/\n}"
    ])
    func unsupportedStorageSettingsAreErrors(_ text: String) throws {
        let settings = try load(text)
        #expect(throws: ConfigError.self) { try StorageConfiguration(settings: settings) }
    }
}
