import Testing

@testable import Config

@Suite struct SettingsRegistryTests {
    @Test func typedAccessAndDefaults() throws {
        let settings = try testRegistry.load(
            text: """
                mail_debug = yes
                metacache_max_space = 200G
                metacache_upload_interval = 2s
                mail_prefetch_count = 20
                mail_plugins = quota, box notify
                plugin {
                  obox_fs = posix:/tmp/x
                }
                """)
        #expect(settings.bool("mail_debug"))
        #expect(settings.size("metacache_max_space") == 200 << 30)
        #expect(settings.milliseconds("metacache_upload_interval") == 2000)
        #expect(settings.number("mail_prefetch_count") == 20)
        #expect(settings.list("mail_plugins") == ["quota", "box", "notify"])
        #expect(settings.string("ssl") == "yes")
        #expect(settings.singleSection("plugin").string("obox_fs") == "posix:/tmp/x")
        #expect(settings.singleSection("plugin").string("obox_index_fs") == "")
    }

    @Test func misspeltSettingSuggestsTheRealOne() {
        #expect(
            throws: ConfigError(
                "Unknown setting: mail_prefetch_cont (did you mean mail_prefetch_count?)",
                at: SourceLocation(file: "f.conf", line: 2))
        ) {
            try testRegistry.load(text: "mail_debug = no\nmail_prefetch_cont = 5\n", file: "f.conf")
        }
        #expect(
            throws: ConfigError(
                "Unknown setting in section plugin: obox_f (did you mean obox_fs?)",
                at: SourceLocation(file: "f.conf", line: 2))
        ) {
            try testRegistry.load(text: "plugin {\n  obox_f = posix:/x\n}\n", file: "f.conf")
        }
        #expect(
            throws: ConfigError(
                "Unknown section: namespce (did you mean namespace?)",
                at: SourceLocation(file: "f.conf", line: 1))
        ) {
            try testRegistry.load(text: "namespce inbox {\n}\n", file: "f.conf")
        }
        #expect(throws: ConfigError("Unknown setting: completely_unrelated_thing", at: SourceLocation(file: "f.conf", line: 1))) {
            try testRegistry.load(text: "completely_unrelated_thing = 1\n", file: "f.conf")
        }
    }

    @Test func badValuesSayWhatWasExpected() {
        #expect(throws: ConfigError("Invalid value for mail_debug: must be yes or no, not 'maybe'", at: SourceLocation(file: "f", line: 1))) {
            try testRegistry.load(text: "mail_debug = maybe\n", file: "f")
        }
        #expect(
            throws: ConfigError(
                "Invalid value for metacache_max_space: must be a size such as 512k, 500M or 1G, not '10Q'",
                at: SourceLocation(file: "f", line: 1))
        ) {
            try testRegistry.load(text: "metacache_max_space = 10Q\n", file: "f")
        }
        #expect(
            throws: ConfigError(
                "Invalid value for metacache_upload_interval: must be a time such as 500ms, 2s, 5min or 90d, not 'soon'",
                at: SourceLocation(file: "f", line: 1))
        ) {
            try testRegistry.load(text: "metacache_upload_interval = soon\n", file: "f")
        }
        #expect(throws: ConfigError("Invalid value for ssl: must be one of yes, no, required, not 'maybe'", at: SourceLocation(file: "f", line: 1))) {
            try testRegistry.load(text: "ssl = maybe\n", file: "f")
        }
        #expect(throws: ConfigError("Invalid value for mail_prefetch_count: must be a whole number, not '-1'", at: SourceLocation(file: "f", line: 1))) {
            try testRegistry.load(text: "mail_prefetch_count = -1\n", file: "f")
        }
    }

    @Test func sectionNamingRules() throws {
        #expect(throws: ConfigError("Section namespace needs a name: namespace NAME {", at: SourceLocation(file: "f", line: 1))) {
            try testRegistry.load(text: "namespace {\n}\n", file: "f")
        }
        #expect(throws: ConfigError("Section plugin takes no name (found 'x')", at: SourceLocation(file: "f", line: 1))) {
            try testRegistry.load(text: "plugin x {\n}\n", file: "f")
        }
        let settings = try testRegistry.load(
            text:
                "passdb {\n driver = static\n}\npassdb named {\n driver = sql\n}\nnamespace inbox {\n inbox = yes\n mailbox Sent {\n  auto = subscribe\n }\n}\n"
        )
        #expect(settings.sections("passdb").map(\.name) == [nil, "named"])
        let namespace = try #require(settings.sections("namespace").first)
        #expect(namespace.bool("inbox"))
        #expect(namespace.sections("mailbox").first?.string("auto") == "subscribe")
        #expect(namespace.sections("mailbox").first?.string("special_use") == "")
    }

    @Test(arguments: [
        ("0", Int64(0)), ("512", 512), ("10k", 10 << 10), ("10 KB", 10 << 10), ("500M", 500 << 20), ("1G", 1 << 30), ("2T", 2 << 40)
    ])
    func sizes(text: String, bytes: Int64) {
        #expect(SettingType.parseSize(text) == bytes)
    }

    @Test(arguments: [
        ("500ms", Int64(500)), ("2", 2000), ("2s", 2000), ("5min", 300_000), ("5 mins", 300_000), ("1h", 3_600_000),
        ("90d", 7_776_000_000), ("2w", 1_209_600_000)
    ])
    func times(text: String, milliseconds: Int64) {
        #expect(SettingType.parseMilliseconds(text) == milliseconds)
    }
}
