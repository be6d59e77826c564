import Config
import Testing

@testable import ObjectMail

/// The mail_log plugin's text rules and the quota warning rules, as Dovecot 2.3 has them.
@Suite struct MailLogAndWarningTests {
    @Test func sanitizingCutsLikeDovecotsStrSanitize() {
        #expect(MailLogLine.sanitized("INBOX", maxBytes: 64) == "INBOX")
        #expect(MailLogLine.sanitized("a\tb\u{1}c", maxBytes: 64) == "a?b?c")
        #expect(MailLogLine.sanitized(String(repeating: "x", count: 81), maxBytes: 80) == String(repeating: "x", count: 77) + "...")
        #expect(MailLogLine.sanitized(String(repeating: "x", count: 80), maxBytes: 80) == String(repeating: "x", count: 80))
        // Never half a character.
        #expect(MailLogLine.sanitized(String(repeating: "é", count: 41), maxBytes: 80) == String(repeating: "é", count: 38) + "...")
    }

    @Test func unknownEventsAndFieldsStopTheServerWithDovecotsWords() throws {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        let bad = try registry.load(text: "mail_plugins = notify mail_log\nplugin {\n  mail_log_events = expunge flagchange\n}\n", file: "t.conf")
        #expect(throws: ConfigError("Unknown event in mail_log_events: 'flagchange'", at: SourceLocation(file: "t.conf", line: 3))) {
            try StorageConfiguration(settings: bad)
        }
        let defaults = try StorageConfiguration(settings: try registry.load(text: "mail_plugins = notify mail_log\n", file: "t.conf"))
        #expect(
            defaults.mailLog
                == MailLogConfiguration(
                    events: [.delete, .undelete, .expunge, .save, .copy, .mailboxDelete, .mailboxRename],
                    fields: [.uid, .msgid, .size]))
        let withoutNotify = try registry.load(text: "mail_plugins = mail_log\n", file: "t.conf")
        #expect(
            throws: ConfigError(
                "mail_plugins: Plugin notify must be loaded also (you must set: mail_plugins=$mail_plugins notify)",
                at: SourceLocation(file: "t.conf", line: 1))
        ) {
            try StorageConfiguration(settings: withoutNotify)
        }
    }

    @Test func warningsFireOnCrossingOnly() throws {
        let script = ScriptService(service: "quota-warning", path: "/bin/true", fixedArguments: [], user: "")
        let up = try QuotaWarning(name: "quota_warning", text: "storage=95%% quota-warning 95 %u", scripts: ["quota-warning": script], at: nil)
        let below = try QuotaWarning(
            name: "quota_warning2", text: "-storage=100%% quota-warning below %u",
            scripts: ["quota-warning": script], at: nil)
        let limits = QuotaLimits(storage: 1000)
        #expect(
            up.reason(before: QuotaCount(messages: 1, bytes: 900), after: QuotaCount(messages: 2, bytes: 950), limits: limits)
                == "bytes=900 -> 950 over limit 950")
        #expect(up.reason(before: QuotaCount(messages: 1, bytes: 950), after: QuotaCount(messages: 2, bytes: 990), limits: limits) == nil)
        #expect(
            below.reason(before: QuotaCount(messages: 2, bytes: 1000), after: QuotaCount(messages: 1, bytes: 999), limits: limits)
                == "bytes=1000 -> 999 below limit 1000")
        #expect(up.reason(before: QuotaCount(messages: 0, bytes: 0), after: QuotaCount(messages: 1, bytes: 999), limits: QuotaLimits()) == nil)
        #expect(throws: ConfigError.self) {
            try QuotaWarning(name: "quota_warning", text: "storage=95%%", scripts: ["quota-warning": script], at: nil)
        }
    }
}
