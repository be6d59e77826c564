import Config
import Foundation

/// The settings two configurations disagree on, by path (`service imap-login/inet_listener imap/port`), and
/// which of them a reload applies. The rest needs a restart: the storage, the metacache and fscache, the admin
/// and metrics sockets are built once.
struct SettingChanges {
    /// Changed, added or removed settings, in the order `config -n` prints them.
    let paths: [String]

    init(from old: Settings, to new: Settings) {
        let printer = SettingsPrinter(showSecrets: true)
        let before = Self.entries(printer.render(old, mode: .nonDefault))
        let after = Self.entries(printer.render(new, mode: .nonDefault))
        var paths: [String] = []
        for (path, value) in after where before[path] != value && !paths.contains(path) { paths.append(path) }
        for (path, _) in before where after[path] == nil && !paths.contains(path) { paths.append(path) }
        self.paths = paths.sorted()
    }

    /// Those a reload does not apply.
    var needingRestart: [String] { paths.filter { !Self.appliedLive($0) } }

    /// Protocols, listeners, authentication, TLS and login policy, each protocol's own settings, the quota rules,
    /// the Sieve settings and the log settings are rebuilt by a reload; whatever else changed needs a restart.
    static func appliedLive(_ path: String) -> Bool {
        let components = path.split(separator: "/").map(String.init)
        guard let first = components.first else { return true }
        let words = first.split(separator: " ").map(String.init)
        let name = words[0]
        switch name {
        case "service":
            let service = words.count > 1 ? words[1] : ""
            return ["imap-login", "pop3-login", "managesieve-login", "lmtp", "imap", "pop3", "managesieve", "anvil", "auth"].contains(service)
        case "plugin":
            // The quota rules, and Sieve's settings (each delivery backend is rebuilt with them).
            return components.count > 1 && (components[1].hasPrefix("quota") || components[1].hasPrefix("sieve"))
        case "passdb", "userdb", "protocol":
            return true
        default:
            let prefixes = ["auth_", "ssl", "imap_", "pop3_", "lmtp_", "lda_", "login_", "managesieve_"]
            let names: Set = [
                "protocols", "listen", "disable_plaintext_auth", "mail_max_userip_connections", "hostname",
                "postmaster_address", "submission_host", "recipient_delimiter", "log_path", "info_log_path", "debug_log_path",
                "mail_debug", "mail_log_prefix", "verbose_proctitle", "auth_mechanisms"
            ]
            return names.contains(name) || prefixes.contains { name.hasPrefix($0) }
        }
    }

    /// `config -n` text as path → value; a list setting repeated in one section keeps its last value.
    private static func entries(_ text: String) -> [(String, String)] {
        var stack: [String] = []
        var result: [(String, String)] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line == "}" {
                _ = stack.popLast()
            } else if line.hasSuffix("{") {
                stack.append(String(line.dropLast()).trimmingCharacters(in: .whitespaces))
                result.append(((stack).joined(separator: "/"), "{"))
            } else if let equals = line.firstIndex(of: "=") {
                let name = line[..<equals].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                result.append(((stack + [name]).joined(separator: "/"), value))
            }
        }
        return result
    }
}

extension Array where Element == (String, String) {
    fileprivate subscript(path: String) -> String? { last { $0.0 == path }?.1 }
}
