import Testing

@testable import Config

@Suite struct SettingsPrinterTests {
    let settings = try! testRegistry.load(
        text: """
            mail_debug = yes
            log_path = /dev/stderr
            ssl_key_password = hunter2
            plugin {
              obox_fs = fscache:1G:/var/cache/mails:s3:https://AKID:s3cr%2Bt@bucket.example.com/?region=eu
            }
            namespace inbox {
              mailbox "Sent Messages" {
                special_use = \\Sent
              }
            }
            """)

    @Test func nonDefaultHidesSecretsAndDefaults() {
        let output = SettingsPrinter().render(settings, mode: .nonDefault)
        #expect(
            output == """
                mail_debug = yes
                ssl_key_password = # hidden, use -P to show it
                plugin {
                  obox_fs = fscache:1G:/var/cache/mails:s3:https://AKID:#hidden@bucket.example.com/?region=eu
                }
                namespace inbox {
                  mailbox "Sent Messages" {
                    special_use = \\Sent
                  }
                }

                """)
        #expect(!output.contains("s3cr") && !output.contains("hunter2"))
    }

    @Test func showSecretsOnRequest() {
        let output = SettingsPrinter(showSecrets: true).render(settings, mode: .nonDefault)
        #expect(output.contains("ssl_key_password = hunter2"))
        #expect(output.contains("AKID:s3cr%2Bt@"))
    }

    @Test func allIncludesDefaults() {
        let output = SettingsPrinter().render(settings, mode: .all)
        #expect(output.contains("metacache_upload_interval = 5min\n"))
        #expect(output.contains("log_path = /dev/stderr\n"))
        #expect(output.contains("  obox_index_fs =\n"))
    }

    @Test func namedSettings() throws {
        #expect(
            try SettingsPrinter().render(settings, names: ["mail_debug", "obox_fs", "ssl"]) == """
                mail_debug = yes
                obox_fs = fscache:1G:/var/cache/mails:s3:https://AKID:#hidden@bucket.example.com/?region=eu
                ssl = yes

                """)
        #expect(throws: ConfigError("Unknown setting: mail_debg (did you mean mail_debug?)")) {
            try SettingsPrinter().render(settings, names: ["mail_debg"])
        }
    }
}
