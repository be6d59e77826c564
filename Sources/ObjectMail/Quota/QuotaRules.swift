import Config

/// A user's limits, from Dovecot's `quota_rule` syntax: `*:storage=1G`, `*:messages=10000`,
/// `Trash:storage=+100M` (the root limit plus or minus this much while saving into Trash), `Trash:ignore`
/// (Trash's mail does not count, and saving into it is never refused). A bare storage number is kilobytes,
/// as in Dovecot; `*:storage=0` or `*:storage=unlimited` (no limit) are Dovecot's too.
public struct QuotaLimits: Sendable, Equatable {
    /// Bytes; nil when storage is not limited.
    public var storage: Int64?
    public var messages: Int64?
    /// Mailbox names whose mail does not count.
    public var ignoredMailboxes: Set<String> = []
    /// Per-mailbox adjustments of the root limits (`Trash:storage=+100M`), by mailbox name.
    public var mailboxAdjustments: [String: Adjustment] = [:]

    public struct Adjustment: Sendable, Equatable {
        public var storage: Int64 = 0
        public var messages: Int64 = 0
    }

    public init(storage: Int64? = nil, messages: Int64? = nil) {
        self.storage = storage
        self.messages = messages
    }

    public var isLimited: Bool { storage != nil || messages != nil }

    /// The limits that apply while saving into `mailbox`.
    public func limits(savingInto mailbox: String) -> (storage: Int64?, messages: Int64?) {
        let adjustment = mailboxAdjustments[mailbox] ?? Adjustment()
        return (storage.map { $0 + adjustment.storage }, messages.map { $0 + adjustment.messages })
    }

    /// Applies rules in order; a later rule for the same mailbox and resource replaces the earlier one,
    /// as userdb `quota_rule` replaces the configured one.
    public init(rules: [String]) throws(QuotaRuleError) {
        self.init()
        for rule in rules where !rule.isEmpty { try apply(rule) }
    }

    mutating func apply(_ rule: String) throws(QuotaRuleError) {
        guard let colon = rule.firstIndex(of: ":") else { throw QuotaRuleError(rule, "expected MAILBOX:RESOURCE=LIMIT") }
        let mailbox = String(rule[..<colon])
        let body = rule[rule.index(after: colon)...]
        if body.lowercased() == "ignore" {
            guard mailbox != "*" else { throw QuotaRuleError(rule, "* cannot be ignored") }
            ignoredMailboxes.insert(mailbox)
            return
        }
        for setting in body.split(separator: ":") {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw QuotaRuleError(rule, "expected RESOURCE=LIMIT") }
            let resource = parts[0].lowercased()
            guard resource == "storage" || resource == "messages" || resource == "bytes" else {
                throw QuotaRuleError(rule, "unknown resource \(parts[0]) (storage, bytes, messages)")
            }
            var text = parts[1]
            let sign: Int64? = text.hasPrefix("+") ? 1 : text.hasPrefix("-") ? -1 : nil
            if sign != nil { text.removeFirst() }
            let value: Int64?
            if text.lowercased() == "unlimited" || text.lowercased() == "none" {
                value = nil
            } else if resource == "messages" {
                guard let count = Int64(text), count >= 0 else { throw QuotaRuleError(rule, "invalid message count \(text)") }
                value = count == 0 ? nil : count
            } else {
                // Dovecot: storage without a unit is kilobytes, bytes without one is bytes.
                let unitless = text.allSatisfy(\.isNumber)
                guard let size = SettingType.parseSize(text), size >= 0 else { throw QuotaRuleError(rule, "invalid size \(text)") }
                let bytes = unitless && resource == "storage" ? size * 1024 : size
                value = bytes == 0 ? nil : bytes
            }
            if mailbox == "*" {
                guard sign == nil else { throw QuotaRuleError(rule, "the * rule takes an absolute limit") }
                if resource == "messages" { messages = value } else { storage = value }
            } else {
                guard let sign, let value else {
                    throw QuotaRuleError(rule, "a mailbox rule adjusts the * limit (+N or -N) or is ignore")
                }
                var adjustment = mailboxAdjustments[mailbox] ?? Adjustment()
                if resource == "messages" { adjustment.messages = sign * value } else { adjustment.storage = sign * value }
                mailboxAdjustments[mailbox] = adjustment
            }
        }
    }
}

/// A `quota_rule` the server does not understand; reported with the rule text.
public struct QuotaRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var rule: String
    public var reason: String

    init(_ rule: String, _ reason: String) {
        self.rule = rule
        self.reason = reason
    }

    public var description: String { "quota_rule \(rule): \(reason)" }
}
