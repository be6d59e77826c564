/// What a passdb returns for a known user: the stored password (with or without `{SCHEME}`) and extra fields.
struct PassdbEntry: Sendable, Equatable {
    var password: String?
    /// The scheme of a password written without a `{SCHEME}` prefix.
    var defaultScheme: String
    /// Extra fields: `nopassword`, `nologin`, `allow_nets`, `user`, `userdb_home` …
    var fields: [String: String]
}

/// A password database (`passdb { driver = … }`). Returning nil means the user is unknown to it;
/// throwing means the backend could not answer (a temporary failure).
protocol PassdbDriver: Sendable {
    func lookup(_ context: LookupContext) async throws -> PassdbEntry?
}

/// The result of letting the backend check the password itself (LDAP auth_bind).
enum BindOutcome: Sendable, Equatable {
    case matched([String: String])
    case mismatch
    case unknownUser
}

/// A passdb that can verify a password by binding as the user instead of returning a hash.
protocol BindingPassdbDriver: PassdbDriver {
    /// False when this instance returns hashes after all (LDAP without auth_bind).
    var verifiesByBinding: Bool { get }
    func authenticate(_ context: LookupContext, password: String) async throws -> BindOutcome
}

enum UserdbLookup: Sendable, Equatable {
    case found([String: String])
    case notFound
    /// The static userdb without allow_all_users: the user exists only if a passdb knows them.
    case foundIfPassdbKnows([String: String])
}

/// A user database (`userdb { driver = … }`).
protocol UserdbDriver: Sendable {
    func lookup(_ context: LookupContext) async throws -> UserdbLookup
    /// Every user name, for `objectmail user -A`; drivers that cannot list return [].
    func iterate() async throws -> [String]
}

/// `key=value` driver arguments with an optional trailing path (`scheme=CRYPT username_format=%n /etc/passwd`).
struct DriverArguments: Sendable {
    var options: [String: String] = [:]
    var path: String?

    init(_ text: String) {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if let equals = word.firstIndex(of: "="), !word.hasPrefix("/") {
                options[String(word[..<equals]).lowercased()] = String(word[word.index(after: equals)...])
            } else {
                path = String(word)
            }
        }
    }
}
