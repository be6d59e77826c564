import Foundation

/// The types of setting values, parsed as Dovecot parses them.
public enum SettingType: Sendable, Equatable {
    case string
    /// yes/no.
    case bool
    /// A non-negative whole number.
    case number
    /// Bytes with an optional unit: 512, 10k, 500M, 1G, 2T (optionally followed by B).
    case size
    /// A duration with an optional unit (default seconds): 500ms, 2s, 5min, 1h, 90d, 2w.
    case time
    /// Words separated by spaces or commas.
    case list
    /// One of the given words.
    case choice([String])
    /// Words (separated by spaces or commas), each one of the given words (`mail_plugins`, `auth_mechanisms`).
    case words([String])

    /// Checks a value; the message says what was expected.
    public func validate(_ value: String) -> String? {
        switch self {
        case .string, .list: return nil
        case .bool: return Self.parseBool(value) == nil ? "must be yes or no, not '\(value)'" : nil
        case .number: return UInt64(value) == nil ? "must be a whole number, not '\(value)'" : nil
        case .size: return Self.parseSize(value) == nil ? "must be a size such as 512k, 500M or 1G, not '\(value)'" : nil
        case .time: return Self.parseMilliseconds(value) == nil ? "must be a time such as 500ms, 2s, 5min or 90d, not '\(value)'" : nil
        case .choice(let words):
            return words.contains(value) ? nil : "must be one of \(words.joined(separator: ", ")), not '\(value)'"
        case .words(let words):
            guard let unknown = Self.parseList(value).first(where: { !words.contains($0) }) else { return nil }
            let hint = Suggestion.closest(to: unknown, among: words).map { " (did you mean \($0)?)" } ?? ""
            return "'\(unknown)' is not built into this server\(hint); available: \(words.joined(separator: " "))"
        }
    }

    public var typeName: String {
        switch self {
        case .string: return "string"
        case .bool: return "bool"
        case .number: return "number"
        case .size: return "size"
        case .time: return "time"
        case .list: return "list"
        case .choice(let words): return words.joined(separator: "|")
        case .words(let words): return "list of " + words.joined(separator: "|")
        }
    }

    public static func parseBool(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "yes", "y", "true", "1": return true
        case "no", "n", "false", "0", "": return false
        default: return nil
        }
    }

    /// Bytes; nil when the text is not a size.
    public static func parseSize(_ value: String) -> Int64? {
        let (number, unit) = splitNumber(value)
        guard let count = number else { return nil }
        let multipliers: [String: Int64] = [
            "": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
            "g": 1 << 30, "gb": 1 << 30, "t": 1 << 40, "tb": 1 << 40
        ]
        guard let multiplier = multipliers[unit.lowercased()] else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// Milliseconds; nil when the text is not a time.
    public static func parseMilliseconds(_ value: String) -> Int64? {
        let (number, unit) = splitNumber(value)
        guard let count = number else { return nil }
        let second: Int64 = 1000
        let multipliers: [String: Int64] = [
            "ms": 1, "msec": 1, "msecs": 1, "millisecond": 1, "milliseconds": 1,
            "": second, "s": second, "sec": second, "secs": second, "second": second, "seconds": second,
            "m": 60 * second, "min": 60 * second, "mins": 60 * second, "minute": 60 * second, "minutes": 60 * second,
            "h": 3600 * second, "hour": 3600 * second, "hours": 3600 * second,
            "d": 86400 * second, "day": 86400 * second, "days": 86400 * second,
            "w": 604_800 * second, "week": 604_800 * second, "weeks": 604_800 * second
        ]
        guard let multiplier = multipliers[unit.lowercased()] else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    public static func parseList(_ value: String) -> [String] {
        value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
    }

    private static func splitNumber(_ value: String) -> (Int64?, String) {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        return (digits.isEmpty ? nil : Int64(digits), unit)
    }
}
