/// A remark about the configuration that does not stop the server: an obsolete name that was
/// translated or dropped, worded and placed as Dovecot 2.3's doveconf words it.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?
    /// An obsolete name (doveconf: "Obsolete setting in FILE:LINE: …"), or another remark ("FILE line LINE: …").
    public var obsolete: Bool

    public init(_ message: String, at location: SourceLocation?, obsolete: Bool = true) {
        self.message = message
        self.location = location
        self.obsolete = obsolete
    }

    public var description: String {
        guard let location else { return obsolete ? "Obsolete setting: \(message)" : message }
        return obsolete
            ? "Obsolete setting in \(location.file):\(location.line): \(message)"
            : "\(location.file) line \(location.line): \(message)"
    }

    /// doveconf's remark about a top-level setting given after a protocol filter already set it: the filter keeps
    /// its own value, which may not be what the operator meant (seed 001's `protocol lmtp { mail_plugins = … }`).
    static func laterGlobalSettings(in document: ConfigSection) -> [ConfigWarning] {
        var warnings: [ConfigWarning] = []
        let filterEntries = document.sections.filter { $0.type == "protocol" }.flatMap(\.entries)
        for entry in document.entries {
            guard
                let earlier = filterEntries.first(where: {
                    $0.key == entry.key && $0.location.file == entry.location.file && $0.location.line < entry.location.line
                })
            else { continue }
            let place = "\(earlier.location.file) line \(earlier.location.line)"
            warnings.append(
                ConfigWarning(
                    "Global setting \(entry.key) won't change the setting inside an earlier filter at \(place) "
                        + "(if this is intentional, avoid this warning by moving the global setting before \(place))",
                    at: entry.location, obsolete: false))
        }
        return warnings
    }
}

/// Dovecot 1.x/2.0 names that doveconf 2.3 still accepts (its old-set-parser): each is translated into
/// today's settings, or dropped when nothing replaces it, with the same warning doveconf prints. A name
/// doveconf refuses (mail_extra_groups …) is not here, so it stays an unknown setting.
enum ObsoleteSettings {
    /// Rewrites the top level of a parsed document; the warnings are in file order.
    static func translate(_ document: ConfigSection) throws -> (ConfigSection, [ConfigWarning]) {
        var result = document
        var warnings: [ConfigWarning] = []
        result.entries = []
        result.sections = []
        for entry in document.entries {
            result.entries += try translate(entry, into: &result, warnings: &warnings)
        }
        for section in document.sections {
            if section.type == "auth" {
                warnings.append(
                    ConfigWarning(
                        "add auth_ prefix to all settings inside auth {} and remove the auth {} section completely",
                        at: section.location))
                unwrapAuth(section, into: &result, warnings: &warnings)
            } else {
                result.sections.append(section)
            }
        }
        return (result, warnings)
    }

    /// The entries that replace one top-level entry (none when it is dropped); sections it turns into are added to `root`.
    private static func translate(
        _ entry: ConfigEntry, into root: inout ConfigSection,
        warnings: inout [ConfigWarning]
    ) throws -> [ConfigEntry] {
        func warn(_ text: String) { warnings.append(ConfigWarning(text, at: entry.location)) }
        switch entry.key {
        case "ssl_cert_file", "ssl_key_file", "ssl_ca_file":
            let key = String(entry.key.dropLast("_file".count))
            warn("\(entry.key) has been replaced by \(key) = <file")
            let path = ConfigParser.resolve(entry.value, relativeTo: entry.location.file)
            let contents = try ConfigParser.readFile(path, referencedFrom: entry.location)
            return [ConfigEntry(key: key, value: contents, sourceText: "<" + entry.value, location: entry.location)]
        case "ssl_disable":
            warn("ssl_disable has been renamed to ssl")
            let disabled = SettingType.parseBool(entry.value) ?? false
            return [ConfigEntry(key: "ssl", value: disabled ? "no" : "yes", location: entry.location)]
        case "ssl_protocols":
            warn("ssl_protocols has been replaced by ssl_min_protocol")
            return []
        case "ssl_dh_parameters_length", "ssl_parameters_regenerate":
            warn("\(entry.key) is no longer needed")
            return []
        case "login_max_processes_count", "login_max_connections", "login_process_per_connection":
            let (setting, value): (String, String) =
                switch entry.key {
                case "login_max_processes_count": ("process_limit", entry.value)
                case "login_max_connections": ("client_limit", entry.value)
                default: ("service_count", SettingType.parseBool(entry.value) == false ? "0" : "1")
                }
            warn("\(entry.key) has been replaced by service { \(setting) }")
            for service in ["imap-login", "pop3-login"] {
                root.sections.append(
                    ConfigSection(
                        type: "service", name: service, location: entry.location,
                        entries: [ConfigEntry(key: setting, value: value, location: entry.location)]))
            }
            return []
        case "protocols":
            return [translateProtocols(entry, into: &root, warn: warn)]
        default:
            return [entry]
        }
    }

    /// `protocols = imaps pop3s`: the implicit-TLS names became listeners; without the plain name as well,
    /// the plaintext listener is switched off, exactly as doveconf rewrites it.
    private static func translateProtocols(
        _ entry: ConfigEntry, into root: inout ConfigSection,
        warn: (String) -> Void
    ) -> ConfigEntry {
        let names = SettingType.parseList(entry.value)
        guard names.contains("imaps") || names.contains("pop3s") else { return entry }
        var kept = names.filter { $0 != "imaps" && $0 != "pop3s" }
        for (secure, plain) in [("imaps", "imap"), ("pop3s", "pop3")] where names.contains(secure) {
            if names.contains(plain) {
                warn("'\(secure)' protocol is no longer necessary, remove it")
                continue
            }
            warn(
                "'\(secure)' protocol can no longer be specified (use protocols=\(plain)). to disable non-ssl \(plain), "
                    + "use service \(plain)-login { inet_listener \(plain) { port=0 } }")
            kept.append(plain)
            let listener = ConfigSection(
                type: "inet_listener", name: plain, location: entry.location,
                entries: [ConfigEntry(key: "port", value: "0", location: entry.location)])
            root.sections.append(
                ConfigSection(
                    type: "service", name: "\(plain)-login", location: entry.location,
                    sections: [listener]))
        }
        let value = kept.joined(separator: " ")
        return ConfigEntry(key: "protocols", value: value, location: entry.location)
    }

    /// Dovecot 1.x's `auth default { mechanisms = … passdb sql { args } user = … }`.
    private static func unwrapAuth(_ auth: ConfigSection, into root: inout ConfigSection, warnings: inout [ConfigWarning]) {
        for entry in auth.entries {
            if entry.key == "user" {
                warnings.append(ConfigWarning("auth_user has been replaced by service auth { user }", at: entry.location))
                root.sections.append(ConfigSection(type: "service", name: "auth", location: entry.location, entries: [entry]))
            } else {
                root.entries.append(
                    ConfigEntry(
                        key: "auth_" + entry.key, value: entry.value, sourceText: entry.sourceText,
                        location: entry.location))
            }
        }
        for var section in auth.sections {
            if section.type == "passdb" || section.type == "userdb", let driver = section.name {
                warnings.append(
                    ConfigWarning(
                        "\(section.type) \(driver) {} has been replaced by \(section.type) { driver=\(driver) }",
                        at: section.location))
                section.name = nil
                section.entries.insert(ConfigEntry(key: "driver", value: driver, location: section.location), at: 0)
            }
            root.sections.append(section)
        }
    }
}
