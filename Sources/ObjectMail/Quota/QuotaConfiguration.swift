import Config

/// Dovecot's quota plugin settings (`plugin { quota = count:User quota … }`) with the `count` backend: usage is
/// counted from the index, never by listing the bucket.
public struct QuotaConfiguration: Sendable, Equatable {
    /// The quota root's name, as GETQUOTAROOT reports it (`count:User quota` → "User quota").
    public var rootName: String
    /// `quota_rule`, `quota_rule2` …, in order; userdb fields of the same names replace them per user.
    public var rules: [String]
    /// `quota_grace`: how far one LMTP delivery may go over the limit when the user was under it before.
    public var grace: Grace
    /// `quota_exceeded_message`: the text of the NO and 552 answers.
    public var exceededMessage: String
    /// `quota_full_tempfail`: LMTP answers 452 4.2.2 instead of 552 5.2.2, so the MTA retries.
    public var fullTempfail: Bool
    /// `quota_warning`, `quota_warning2` …, in order: after a change, the first one whose limit it crossed runs.
    public var warnings: [QuotaWarning] = []
    /// `quota2 = count:NAME` with `quota2_rule` …: a second root over the same mail, with its own limits; every save
    /// must fit both, and GETQUOTAROOT reports both. nil without `quota2`.
    public var secondRoot: SecondRoot?

    public struct SecondRoot: Sendable, Equatable {
        public var name: String
        public var rules: [String]
    }

    /// The names the second root's rules come under, in the configuration and the userdb.
    public static let secondRuleSettingNames = ["quota2_rule"] + (2...9).map { "quota2_rule\($0)" }

    public enum Grace: Sendable, Equatable {
        case percent(Int64)
        case bytes(Int64)

        func allowance(over limit: Int64) -> Int64 {
            switch self {
            case .percent(let percent): limit * percent / 100
            case .bytes(let bytes): bytes
            }
        }
    }

    /// The names a rule may come under (`quota_rule` … `quota_rule9`), in the configuration and the userdb.
    public static let ruleSettingNames = ["quota_rule"] + (2...9).map { "quota_rule\($0)" }

    public init(
        rootName: String = Self.defaultRootName, rules: [String], grace: Grace = .percent(10),
        exceededMessage: String = Self.defaultExceededMessage, fullTempfail: Bool = false
    ) {
        self.rootName = rootName
        self.rules = rules
        self.grace = grace
        self.exceededMessage = exceededMessage
        self.fullTempfail = fullTempfail
    }

    public static let defaultRootName = "User quota"
    public static let defaultExceededMessage = "Quota exceeded (mailbox for user is full)"

    /// The limits for a user whose userdb returned `fields`: a userdb `quota_rule…` replaces the configured one.
    public func limits(userdbFields fields: [String: String]) throws(QuotaRuleError) -> QuotaLimits {
        try Self.limits(names: Self.ruleSettingNames, rules: rules, userdbFields: fields)
    }

    /// The second root's limits (`quota2_rule…`, replaced by userdb fields of the same names); nil without `quota2`.
    public func secondLimits(userdbFields fields: [String: String]) throws(QuotaRuleError) -> QuotaLimits? {
        guard let secondRoot else { return nil }
        return try Self.limits(names: Self.secondRuleSettingNames, rules: secondRoot.rules, userdbFields: fields)
    }

    private static func limits(names: [String], rules: [String], userdbFields fields: [String: String]) throws(QuotaRuleError) -> QuotaLimits {
        var byName = Dictionary(uniqueKeysWithValues: zip(names, rules))
        for name in names { if let value = fields[name] { byName[name] = value } }
        return try QuotaLimits(rules: names.compactMap { byName[$0] })
    }

    /// `count:NAME` (or `count`) → NAME; other backends stop the server at start.
    private static func countRootName(_ setting: String, _ backend: String, at location: SourceLocation?) throws -> String {
        guard backend.hasPrefix("count:") || backend == "count" else {
            throw ConfigError("\(setting): only the count backend is supported (\(setting) = count:User quota), not '\(backend)'", at: location)
        }
        let root = backend == "count" ? "" : String(backend.dropFirst("count:".count))
        return root.isEmpty ? defaultRootName : root
    }

    private static func checkRules(_ names: [String], _ rules: [String], in plugin: Settings) throws {
        for (name, rule) in zip(names, rules) where !rule.isEmpty {
            do {
                _ = try QuotaLimits(rules: [rule])
            } catch {
                throw ConfigError("\(name): \(error.reason): \(rule)", at: plugin.location(of: name))
            }
        }
    }

    static let settingDefinitions: [SettingDefinition] =
        [
            SettingDefinition("quota", .string, "Quota backend and root name: count:User quota (only the count backend); empty: no quota."),
            SettingDefinition(
                "quota_grace", .string, default: "10%",
                "How far one LMTP delivery may exceed the limit when the user was under it (10%, or a size like 10M)."),
            SettingDefinition("quota_exceeded_message", .string, default: defaultExceededMessage, "Text of the over-quota answers."),
            SettingDefinition(
                "quota_full_tempfail", .bool, default: "no",
                "Over quota, LMTP answers 452 4.2.2 (retry) instead of 552 5.2.2, and objectmail lda exits 75 instead of 77.")
        ]
        + ruleSettingNames.map {
            SettingDefinition($0, .string, "A quota rule: *:storage=1G, *:messages=N, MAILBOX:storage=+100M, MAILBOX:ignore.")
        } + [
            SettingDefinition(
                "quota2", .string,
                "A second quota root over the same mail: count:NAME (only the count backend); "
                    + "saves must fit both roots; GETQUOTAROOT reports both.")
        ]
        + secondRuleSettingNames.map { SettingDefinition($0, .string, "A rule of the second quota root (as quota_rule).") }
        + QuotaWarning.settingNames.map {
            SettingDefinition(
                $0, .string,
                "A quota warning: [-]storage=95%% SOCKET ARGS (%u …) runs the script service on SOCKET when a "
                    + "change takes usage over the limit (with -: back under it); only the first matching warning runs.")
        }

    /// nil when `quota` is not set. Unsupported backends and rules that do not parse stop the server at startup.
    /// `scripts`: the configuration's script services by socket name, which warnings run.
    init?(plugin: Settings, scripts: [String: ScriptService]) throws {
        let backend = plugin.string("quota")
        guard !backend.isEmpty else { return nil }
        let root = try Self.countRootName("quota", backend, at: plugin.location(of: "quota"))
        let rules = Self.ruleSettingNames.map { plugin.string($0) }
        try Self.checkRules(Self.ruleSettingNames, rules, in: plugin)
        let graceText = plugin.string("quota_grace").replacingOccurrences(of: "%%", with: "%")
        let grace: Grace
        if graceText.hasSuffix("%"), let percent = Int64(graceText.dropLast()), percent >= 0 {
            grace = .percent(percent)
        } else if let bytes = SettingType.parseSize(graceText), bytes >= 0 {
            grace = .bytes(bytes)
        } else {
            throw ConfigError(
                "quota_grace: expected a percentage (10%) or a size (10M), not '\(graceText)'",
                at: plugin.location(of: "quota_grace"))
        }
        self.init(
            rootName: root, rules: rules, grace: grace,
            exceededMessage: plugin.string("quota_exceeded_message"), fullTempfail: plugin.bool("quota_full_tempfail"))
        let second = plugin.string("quota2")
        if !second.isEmpty {
            let name = try Self.countRootName("quota2", second, at: plugin.location(of: "quota2"))
            guard name != root else {
                throw ConfigError("quota2: the root name \(name) is the first root's too", at: plugin.location(of: "quota2"))
            }
            let secondRules = Self.secondRuleSettingNames.map { plugin.string($0) }
            try Self.checkRules(Self.secondRuleSettingNames, secondRules, in: plugin)
            secondRoot = SecondRoot(name: name, rules: secondRules)
        }
        warnings = try QuotaWarning.settingNames.compactMap { name in
            let text = plugin.string(name)
            return text.isEmpty ? nil : try QuotaWarning(name: name, text: text, scripts: scripts, at: plugin.location(of: name))
        }
    }
}
