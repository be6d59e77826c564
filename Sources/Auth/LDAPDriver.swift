import Config
import Primitives

/// `driver = ldap` with `args = /etc/dovecot/dovecot-ldap.conf.ext`: searches with pass_filter/user_filter/
/// iterate_filter and maps attributes with pass_attrs/user_attrs/iterate_attrs. With `auth_bind = yes` the
/// LDAP server checks the password: a bind as `auth_bind_userdn`, or as the DN that pass_filter finds.
final class LDAPDriver: PassdbDriver, UserdbDriver, BindingPassdbDriver {
    let config: LDAPConfig
    private let connection: LDAPConnection
    /// Auth binds change the connection's identity: they get their own connection, as in Dovecot.
    private let bindConnection: LDAPConnection
    private let pool: BlockingPool

    init(configPath: String, pool: BlockingPool) throws {
        guard !configPath.isEmpty else { throw ConfigError("driver = ldap needs args = PATH to a dovecot-ldap.conf.ext file") }
        config = try LDAPConfig(file: configPath)
        connection = LDAPConnection(config: config)
        bindConnection = LDAPConnection(config: config)
        self.pool = pool
    }

    var verifiesByBinding: Bool { config.authBind }

    private func search(_ filterTemplate: String, _ mappings: [AttributeMapping], _ context: LookupContext) async throws -> [LDAPEntry] {
        let filter = try context.expander(escaping: LDAPEscaping.filter).expand(filterTemplate)
        let attributes = AttributeMapping.attributes(needed: mappings)
        let (connection, base, scope) = (connection, config.base, config.scope)
        return try await pool.run { try connection.search(base: base, scope: scope, filter: filter, attributes: attributes) }
    }

    private func single(_ entries: [LDAPEntry], _ context: LookupContext) throws -> LDAPEntry? {
        guard entries.count <= 1 else {
            throw AuthBackendError(driver: "ldap", "the filter matched \(entries.count) entries for \(context.user)")
        }
        return entries.first
    }

    func lookup(_ context: LookupContext) async throws -> PassdbEntry? {
        guard let entry = try single(try await search(config.passFilter, config.passAttrs, context), context) else { return nil }
        var fields = try Self.map(entry, config.passAttrs, context)
        let password = fields.removeValue(forKey: "password")
        return PassdbEntry(password: password, defaultScheme: config.defaultPassScheme, fields: fields)
    }

    func authenticate(_ context: LookupContext, password: String) async throws -> BindOutcome {
        let dn: String
        var fields: [String: String] = [:]
        if !config.authBindUserDN.isEmpty {
            dn = try context.expander(escaping: LDAPEscaping.dnValue).expand(config.authBindUserDN)
        } else {
            guard let entry = try single(try await search(config.passFilter, config.passAttrs, context), context) else {
                return .unknownUser
            }
            dn = entry.dn
            fields = try Self.map(entry, config.passAttrs, context)
            fields["password"] = nil
        }
        let bindConnection = bindConnection
        switch try await pool.run({ try bindConnection.bind(dn: dn, password: password) }) {
        case .ok: return .matched(fields)
        case .invalidCredentials: return .mismatch
        case .noSuchObject: return .unknownUser
        }
    }

    func lookup(_ context: LookupContext) async throws -> UserdbLookup {
        guard let entry = try single(try await search(config.userFilter, config.userAttrs, context), context) else { return .notFound }
        return .found(try Self.map(entry, config.userAttrs, context))
    }

    func iterate() async throws -> [String] {
        let context = LookupContext(user: "", service: "", remoteIP: nil, localIP: nil, prefetched: nil)
        return try await search(config.iterateFilter, config.iterateAttrs, context).compactMap {
            try Self.map($0, config.iterateAttrs, context)["user"]
        }
    }

    /// Attribute values to Dovecot fields; `=field=template` values may use %{ldap:attr}.
    static func map(_ entry: LDAPEntry, _ mappings: [AttributeMapping], _ context: LookupContext) throws -> [String: String] {
        var fields: [String: String] = [:]
        var expander = context.expander
        // An attribute the entry lacks expands to nothing, as in Dovecot.
        for name in AttributeMapping.attributes(needed: mappings) { expander.values["ldap:" + name] = entry.attributes[name]?.first ?? "" }
        for mapping in mappings {
            if let template = mapping.template {
                fields[mapping.field] = try expander.expand(template)
            } else if let value = entry.attributes[mapping.attribute]?.first {
                fields[mapping.field] = value
            }
        }
        return fields
    }
}

/// Escaping of user input placed into LDAP filters (RFC 4515) and DNs (RFC 4514).
enum LDAPEscaping {
    static func filter(_ value: String) -> String {
        Escaping.replace(value, ["*": "\\2a", "(": "\\28", ")": "\\29", "\\": "\\5c", "\0": "\\00"])
    }

    static func dnValue(_ value: String) -> String {
        var escaped = ""
        for (index, character) in value.enumerated() {
            let special =
                ",+\"\\<>;=".contains(character)
                || (index == 0 && (character == "#" || character == " "))
                || (index == value.count - 1 && character == " ")
            if special { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
