import Config
import Foundation

/// dovecot-lda's `-o NAME=VALUE` (`-o plugin/NAME=VALUE` for plugin settings). dovecot-lda is a process of its own
/// that reads the whole configuration, so any setting may be overridden; here the running server delivers, and only
/// the settings that decide one delivery can differ for it. Those are honoured; any other valid setting is refused
/// with the list, rather than silently delivering with the server's value.
public struct LDAOverrides: Codable, Sendable, Equatable {
    /// lda_mailbox_autocreate, lda_mailbox_autosubscribe: for -m's mailbox.
    public var mailboxAutocreate: Bool?
    public var mailboxAutosubscribe: Bool?
    /// quota_full_tempfail: over quota exits 75 (retry) instead of 77.
    public var quotaFullTempfail: Bool?
    /// From `plugin/quota`: false when it carries Dovecot's `noenforcing` option or is empty (no quota), which is
    /// how quota-warning scripts deliver into a full box. The backend and root name stay the server's.
    public var enforceQuota: Bool?

    public init(mailboxAutocreate: Bool? = nil, mailboxAutosubscribe: Bool? = nil, quotaFullTempfail: Bool? = nil, enforceQuota: Bool? = nil) {
        self.mailboxAutocreate = mailboxAutocreate
        self.mailboxAutosubscribe = mailboxAutosubscribe
        self.quotaFullTempfail = quotaFullTempfail
        self.enforceQuota = enforceQuota
    }

    /// The settings -o may set, as they are named in the error that lists them.
    public static let honoured = ["lda_mailbox_autocreate", "lda_mailbox_autosubscribe", "quota_full_tempfail", "plugin/quota"]

    /// Parses the -o arguments in order (a later one wins, as in Dovecot). Names and values are checked against the
    /// registry as the configuration file's are.
    public init(parsing arguments: [String], registry: SettingsRegistry) throws(LDAOverrideError) {
        self.init()
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw LDAOverrideError(argument: argument, reason: "expected NAME=VALUE")
            }
            let key = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            let plugin = registry.root.section("plugin")
            let definition: SettingDefinition?
            if key.hasPrefix("plugin/") {
                definition = plugin?.setting(String(key.dropFirst("plugin/".count)))
            } else {
                // quota_full_tempfail is a top-level setting in Dovecot 2.3 and a plugin one here: both spellings work.
                definition = registry.setting(key) ?? plugin?.setting(key)
            }
            guard let definition else {
                let candidates = registry.root.settings.map(\.name) + (plugin?.settings.map { "plugin/" + $0.name } ?? [])
                let hint = Suggestion.closest(to: key, among: candidates).map { " (did you mean \($0)?)" } ?? ""
                throw LDAOverrideError(argument: argument, reason: "Unknown setting: \(key)\(hint)")
            }
            if let problem = definition.type.validate(value) {
                throw LDAOverrideError(argument: argument, reason: problem)
            }
            switch definition.name {
            case "lda_mailbox_autocreate": mailboxAutocreate = SettingType.parseBool(value)
            case "lda_mailbox_autosubscribe": mailboxAutosubscribe = SettingType.parseBool(value)
            case "quota_full_tempfail": quotaFullTempfail = SettingType.parseBool(value)
            case "quota": enforceQuota = Self.enforces(quotaRoot: value)
            default:
                throw LDAOverrideError(
                    argument: argument,
                    reason: "\(key) cannot differ for one delivery: the running server delivers "
                        + "with its own value (-o can set \(Self.honoured.joined(separator: ", ")))")
            }
        }
    }

    /// `BACKEND[:ROOT NAME][:OPTIONS…]`: enforced unless empty or with the noenforcing option.
    static func enforces(quotaRoot value: String) -> Bool {
        guard !value.isEmpty else { return false }
        return !value.split(separator: ":").dropFirst().contains { $0.trimmingCharacters(in: .whitespaces) == "noenforcing" }
    }
}

/// An -o argument that cannot be applied: dovecot-lda stops with "Invalid -o parameter" and EX_TEMPFAIL.
public struct LDAOverrideError: Error, Sendable, Equatable, CustomStringConvertible {
    public var argument: String
    public var reason: String

    public var description: String { "Invalid -o parameter \(argument): \(reason)" }
}
