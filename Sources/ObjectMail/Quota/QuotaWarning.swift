import Config
import Foundation

/// One `quota_warning` setting: `[+|-]RESOURCE=LIMIT[:RESOURCE=LIMIT] SOCKET ARGS…`, e.g.
/// `storage=95%% quota-warning 95 %u` or `-storage=100%% quota-warning below %u`. When a change takes the usage
/// over a limit (or, with `-`, back under it) the command runs through the script service listening on SOCKET.
public struct QuotaWarning: Sendable, Equatable {
    public enum Limit: Sendable, Equatable {
        /// Percent of the user's `*` limit of the same resource (no limit there: the warning never fires).
        case percent(Int64)
        case absolute(Int64)

        func resolved(against rootLimit: Int64?) -> Int64? {
            switch self {
            case .absolute(let value): value
            case .percent(let percent): rootLimit.map { $0 * percent / 100 }
            }
        }
    }

    /// The setting's name (quota_warning, quota_warning2 …), for logs.
    public var name: String
    /// `-`: fires when usage goes back below the limit.
    public var reverse: Bool
    public var storage: Limit?
    public var messages: Limit?
    /// SOCKET ARGS… as written; %-variables are expanded for the user when it runs.
    public var command: String
    /// The script service whose unix_listener is SOCKET.
    public var script: ScriptService

    /// The names a warning may come under (`quota_warning` … `quota_warning9`).
    public static let settingNames = ["quota_warning"] + (2...9).map { "quota_warning\($0)" }

    /// Parses the rule part as Dovecot's quota_root_add_warning_rule does; `%%` is a percent sign.
    init(name: String, text: String, scripts: [String: ScriptService], at location: SourceLocation?) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " "), !trimmed[space...].trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError("\(name): No command specified: \(text)", at: location)
        }
        var rule = Substring(trimmed[..<space])
        reverse = rule.hasPrefix("-")
        if rule.hasPrefix("-") || rule.hasPrefix("+") { rule = rule.dropFirst() }
        self.name = name
        command = trimmed[space...].trimmingCharacters(in: .whitespaces)
        for part in rule.split(separator: ":") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw ConfigError("\(name): expected RESOURCE=LIMIT, not '\(part)'", at: location) }
            let resource = pair[0].lowercased()
            let value = pair[1].replacingOccurrences(of: "%%", with: "%")
            let limit: Limit
            if value.hasSuffix("%"), let percent = Int64(value.dropLast()), percent >= 0 {
                limit = .percent(percent)
            } else if resource == "messages", let count = Int64(value), count >= 0 {
                limit = .absolute(count)
            } else if resource != "messages", let size = SettingType.parseSize(value), size >= 0 {
                // As in quota_rule: storage without a unit is kilobytes, bytes without one is bytes.
                limit = .absolute(value.allSatisfy(\.isNumber) && resource == "storage" ? size * 1024 : size)
            } else {
                throw ConfigError("\(name): invalid limit '\(pair[1])' for \(pair[0])", at: location)
            }
            switch resource {
            case "storage", "bytes": storage = limit
            case "messages": messages = limit
            default: throw ConfigError("\(name): unknown resource \(pair[0]) (storage, bytes, messages)", at: location)
            }
        }
        guard storage != nil || messages != nil else { throw ConfigError("\(name): no limit in '\(rule)'", at: location) }
        let socket = String(command.split(separator: " ")[0])
        guard let script = scripts[socket] else {
            throw ConfigError(
                "\(name): no script service listens on '\(socket)' (service NAME { executable = script PATH  "
                    + "unix_listener \(socket) { } })", at: location)
        }
        self.script = script
        // A typo in a variable must stop the server now, not when the first user crosses the limit.
        do {
            _ = try VariableExpander.forUser("user@example.com").expand(command)
        } catch {
            throw ConfigError("\(name): \(error)", at: location)
        }
    }

    /// Why the warning fires for this change (Dovecot's reason text), or nil. Dovecot's QUOTA_EXCEEDED: usage
    /// was under the limit before and is at or over it after; a reverse warning the other way round.
    func reason(before: QuotaCount, after: QuotaCount, limits: QuotaLimits) -> String? {
        func crossed(_ from: Int64, _ to: Int64, _ limit: Int64) -> Bool { from < limit && to >= limit }
        let direction = reverse ? "below" : "over"
        if let bytes = storage?.resolved(against: limits.storage), bytes > 0,
            reverse ? crossed(after.bytes, before.bytes, bytes) : crossed(before.bytes, after.bytes, bytes)
        {
            return "bytes=\(before.bytes) -> \(after.bytes) \(direction) limit \(bytes)"
        }
        if let count = messages?.resolved(against: limits.messages), count > 0,
            reverse ? crossed(after.messages, before.messages, count) : crossed(before.messages, after.messages, count)
        {
            return "count=\(before.messages) -> \(after.messages) \(direction) limit \(count)"
        }
        return nil
    }
}

/// A quota root's usage: messages and bytes counted.
struct QuotaCount: Sendable, Equatable {
    var messages: Int64
    var bytes: Int64
}
