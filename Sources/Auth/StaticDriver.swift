/// `driver = static`: the passdb gives every user the same `password=` (or `nopassword`); the userdb gives
/// every user the same fields (`uid=vmail gid=vmail home=/var/vmail/%d/%n`), expanded per user.
struct StaticDriver: PassdbDriver, UserdbDriver {
    let template: FieldTemplate
    let allowAllUsers: Bool

    init(args: String) {
        var template = FieldTemplate(args)
        allowAllUsers = template.value("allow_all_users").map { ["yes", "y", "1", "true"].contains($0.lowercased()) } ?? false
        template.entries.removeAll { $0.key == "allow_all_users" }
        self.template = template
    }

    func lookup(_ context: LookupContext) async throws -> PassdbEntry? {
        var fields = try template.expanded(with: context.expander)
        let password = fields.removeValue(forKey: "password")
        return PassdbEntry(password: password, defaultScheme: "PLAIN", fields: fields)
    }

    func lookup(_ context: LookupContext) async throws -> UserdbLookup {
        let fields = try template.expanded(with: context.expander)
        // During a login the passdb has already vouched for the user.
        return allowAllUsers || context.prefetched != nil ? .found(fields) : .foundIfPassdbKnows(fields)
    }

    func iterate() async throws -> [String] { [] }
}

/// `userdb { driver = prefetch }`: the userdb_* fields the passdb returned during this login.
struct PrefetchUserdb: UserdbDriver {
    func lookup(_ context: LookupContext) async throws -> UserdbLookup {
        guard let fields = context.prefetched, !fields.isEmpty else { return .notFound }
        return .found(fields)
    }

    func iterate() async throws -> [String] { [] }
}
