import Config
import Foundation

/// Dovecot's `mail_log_prefix`: the start of every line logged for a logged-in user (lines whose
/// metadata has `user`). Variables: %s / %{service} (the logger's label: imap, pop3, lmtp), %u / %{user},
/// %n / %{username}, %d / %{domain}, %{session}, %p / %{pid}, %r / %{rip}, %l / %{lip}, and %% for %.
struct MailLogPrefix: Sendable, Equatable {
    let template: String

    /// The problem with a template, or nil: an unknown variable is a configuration error, not a literal.
    static func problem(in template: String) -> String? {
        var index = template.startIndex
        while let percent = template[index...].firstIndex(of: "%") {
            guard let (name, next) = variable(in: template, at: percent) else {
                return "a lone % at the end (write %% for a percent sign)"
            }
            if name != "%", known[name] == nil { return "unknown variable %\(name.count == 1 ? name : "{\(name)}")" }
            index = next
        }
        return nil
    }

    func render(label: String, metadata: [String: String]) -> String {
        var result = ""
        var index = template.startIndex
        while let percent = template[index...].firstIndex(of: "%"), let (name, next) = Self.variable(in: template, at: percent) {
            result += template[index..<percent]
            if name == "%" {
                result += "%"
            } else if let key = Self.known[name] {
                result += Self.value(key, label: label, metadata: metadata)
            }
            index = next
        }
        return result + template[index...]
    }

    /// Single letters and {names}, mapped to the value they stand for.
    private static let known: [String: String] = [
        "s": "service", "service": "service", "u": "user", "user": "user", "n": "username", "username": "username",
        "d": "domain", "domain": "domain", "session": "session", "p": "pid", "pid": "pid",
        "r": "rip", "rip": "rip", "l": "lip", "lip": "lip"
    ]

    private static func value(_ key: String, label: String, metadata: [String: String]) -> String {
        let user = metadata["user"] ?? ""
        switch key {
        case "service": return label
        case "user": return user
        case "username": return String(user.split(separator: "@", maxSplits: 1).first ?? "")
        case "domain": return user.contains("@") ? String(user.split(separator: "@", maxSplits: 1)[1]) : ""
        case "pid": return String(ProcessInfo.processInfo.processIdentifier)
        default: return metadata[key] ?? ""
        }
    }

    /// The variable starting at `percent` (its name, or "%" for %%) and where the text after it starts.
    private static func variable(in text: String, at percent: String.Index) -> (String, String.Index)? {
        let start = text.index(after: percent)
        guard start < text.endIndex else { return nil }
        if text[start] == "{" {
            guard let close = text[start...].firstIndex(of: "}") else { return nil }
            return (String(text[text.index(after: start)..<close]), text.index(after: close))
        }
        return (String(text[start]), text.index(after: start))
    }
}
