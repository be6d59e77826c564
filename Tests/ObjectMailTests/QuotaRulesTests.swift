import ObjectMail
import Testing

/// Dovecot's quota_rule syntax and the userdb override.
@Suite struct QuotaRulesTests {
    @Test func rootRulesAndUnits() throws {
        let limits = try QuotaLimits(rules: ["*:storage=1G", "*:messages=100"])
        #expect(limits.storage == 1 << 30 && limits.messages == 100)
        // A bare storage number is kilobytes; bytes= is bytes; 0 and unlimited mean no limit.
        #expect(try QuotaLimits(rules: ["*:storage=2048"]).storage == 2 << 20)
        #expect(try QuotaLimits(rules: ["*:bytes=2048"]).storage == 2048)
        #expect(try QuotaLimits(rules: ["*:storage=1G", "*:storage=0"]).isLimited == false)
        #expect(try QuotaLimits(rules: ["*:storage=unlimited"]).storage == nil)
        #expect(try QuotaLimits(rules: ["*:storage=1M:messages=10"]) == QuotaLimits(storage: 1 << 20, messages: 10))
    }

    @Test func mailboxRulesAdjustOrIgnore() throws {
        let limits = try QuotaLimits(rules: ["*:storage=1M", "Trash:storage=+100k", "Spam:ignore", "Sent:messages=-1"])
        #expect(limits.ignoredMailboxes == ["Spam"])
        #expect(limits.limits(savingInto: "Trash").storage == Int64(1_048_576 + 102_400))
        #expect(limits.limits(savingInto: "INBOX").storage == 1 << 20)
        #expect(limits.limits(savingInto: "Sent").messages == nil)
    }

    @Test func badRulesAreReported() {
        for rule in ["storage=1G", "*:storage=lots", "*:flurbs=1", "*:ignore", "Trash:storage=100M", "*:storage=+1M", "*:messages=-3"] {
            #expect(throws: QuotaRuleError.self, "\(rule)") { try QuotaLimits(rules: [rule]) }
        }
    }

    @Test func userdbRulesReplaceConfiguredOnesByName() throws {
        let quota = QuotaConfiguration(rules: ["*:storage=1G", "*:messages=1000", "", "", "", "", "", "", ""])
        #expect(try quota.limits(userdbFields: [:]) == QuotaLimits(storage: 1 << 30, messages: 1000))
        #expect(try quota.limits(userdbFields: ["quota_rule": "*:storage=10M"]) == QuotaLimits(storage: 10 << 20, messages: 1000))
        #expect(try quota.limits(userdbFields: ["quota_rule2": "*:messages=0"]) == QuotaLimits(storage: 1 << 30))
    }
}
