import Config
import Foundation

/// A dovecot-ldap.conf.ext file (same `key = value` syntax as dovecot-sql.conf.ext).
struct LDAPConfig: Sendable {
    enum Scope: String, Sendable { case base, onelevel, subtree }

    var uris: [String]
    var dn: String
    var dnpass: String
    var authBind: Bool
    var authBindUserDN: String
    var base: String
    var scope: Scope
    var userAttrs: [AttributeMapping]
    var userFilter: String
    var passAttrs: [AttributeMapping]
    var passFilter: String
    var iterateAttrs: [AttributeMapping]
    var iterateFilter: String
    var defaultPassScheme: String
    var tls: Bool
    var tlsCACertFile: String
    var tlsRequireCert: String
    var timeoutSeconds: Int

    static let knownKeys: Set<String> = [
        "uris", "hosts", "dn", "dnpass", "auth_bind", "auth_bind_userdn", "base", "scope", "ldap_version",
        "user_attrs", "user_filter", "pass_attrs", "pass_filter", "iterate_attrs", "iterate_filter",
        "default_pass_scheme", "tls", "tls_ca_cert_file", "tls_require_cert", "deref", "blocking", "ldap_timeout"
    ]

    init(file path: String) throws {
        let values = try KeyValueFile.read(path, knownKeys: Self.knownKeys)
        func flag(_ key: String) -> Bool { SettingType.parseBool(values[key] ?? "") ?? false }
        if let uris = values["uris"], !uris.isEmpty {
            self.uris = uris.split(separator: " ").map(String.init)
        } else if let hosts = values["hosts"], !hosts.isEmpty {
            self.uris = hosts.split(separator: " ").map { "ldap://\($0)" }
        } else {
            throw ConfigError("\(path): uris (or hosts) is missing")
        }
        dn = values["dn"] ?? ""
        dnpass = values["dnpass"] ?? ""
        authBind = flag("auth_bind")
        authBindUserDN = values["auth_bind_userdn"] ?? ""
        base = values["base"] ?? ""
        guard let scope = Scope(rawValue: values["scope"] ?? "subtree") else {
            throw ConfigError("\(path): scope must be base, onelevel or subtree")
        }
        self.scope = scope
        userAttrs = AttributeMapping.parse(values["user_attrs"] ?? "homeDirectory=home,uidNumber=uid,gidNumber=gid")
        userFilter = values["user_filter"] ?? "(&(objectClass=posixAccount)(uid=%u))"
        passAttrs = AttributeMapping.parse(values["pass_attrs"] ?? "uid=user,userPassword=password")
        passFilter = values["pass_filter"] ?? "(&(objectClass=posixAccount)(uid=%u))"
        iterateAttrs = AttributeMapping.parse(values["iterate_attrs"] ?? "uid=user")
        iterateFilter = values["iterate_filter"] ?? "(objectClass=posixAccount)"
        defaultPassScheme = values["default_pass_scheme"] ?? "CRYPT"
        tls = flag("tls")
        tlsCACertFile = values["tls_ca_cert_file"] ?? ""
        tlsRequireCert = values["tls_require_cert"] ?? ""
        timeoutSeconds = Int(values["ldap_timeout"] ?? "") ?? 10
    }
}

/// `ldapAttribute=field` or `=field=template` (a constant or %-template, `%{ldap:attr}` for attribute values).
struct AttributeMapping: Sendable, Equatable {
    var attribute: String
    var field: String
    var template: String?

    /// The attributes to request: mapped ones and those templates name as %{ldap:attr}.
    static func attributes(needed mappings: [AttributeMapping]) -> [String] {
        var names = Set(mappings.map(\.attribute).filter { !$0.isEmpty })
        for template in mappings.compactMap(\.template) {
            var rest = Substring(template)
            while let start = rest.range(of: "%{ldap:") {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "}") else { break }
                names.insert(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return names.sorted()
    }

    static func parse(_ text: String) -> [AttributeMapping] {
        text.split(separator: ",").compactMap { item in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("=") {
                let rest = trimmed.dropFirst()
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                return AttributeMapping(attribute: "", field: String(rest[..<equals]), template: String(rest[rest.index(after: equals)...]))
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                return AttributeMapping(attribute: trimmed, field: trimmed, template: nil)
            }
            return AttributeMapping(attribute: String(trimmed[..<equals]), field: String(trimmed[trimmed.index(after: equals)...]), template: nil)
        }
    }
}
