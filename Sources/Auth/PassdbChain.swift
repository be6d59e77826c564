import Logging
import Primitives
import Synchronization

/// The result of running the passdb blocks in order for one user.
enum PassdbOutcome: Sendable {
    /// `fields` are the merged extra fields (userdb_ ones included); `pass` is the `pass = yes` flag
    /// of the passdb that authenticated (used by master passdbs).
    case authenticated(user: String, fields: [String: String], pass: Bool)
    case failed(AuthFailureReason)
    case internalFailure(String)
}

/// Runs passdbs as Dovecot does: each one's outcome maps to result_success/failure/internalfail,
/// and the action decides whether to stop or go on.
struct PassdbChain: Sendable {
    let passdbs: [Passdb]
    let pool: BlockingPool
    let logger: Logger
    let counters: AuthCounters
    /// Verified when no real hash was, so that an unknown user costs as much as a wrong password.
    let dummy: DummyHash

    private enum Step {
        case ok(user: String, fields: [String: String])
        case fail(AuthFailureReason)
        case internalFailure(String)
    }

    /// With `password` nil the chain only looks the user up (master `pass = yes`, static userdb, `auth lookup`).
    func run(_ context: LookupContext, password: String?) async -> PassdbOutcome {
        var authenticated: (user: String, fields: [String: String], pass: Bool)?
        var failure = AuthFailureReason.unknownUser
        var internalError: String?
        var verified = false
        var collected: [String: String] = [:]

        func finish() async -> PassdbOutcome {
            if let authenticated {
                // nologin: the password was right but the account may not log in (Dovecot checks it after the chain).
                if password != nil, authenticated.fields["nologin"] != nil { return .failed(.loginDisabled) }
                return .authenticated(user: authenticated.user, fields: authenticated.fields, pass: authenticated.pass)
            }
            if let password, !verified { await burnDummyVerification(password) }
            if let internalError { return .internalFailure(internalError) }
            return .failed(failure)
        }

        for passdb in passdbs {
            if passdb.skip == .authenticated && authenticated != nil { continue }
            if passdb.skip == .unauthenticated && authenticated == nil { continue }
            let step = await lookup(passdb, context: context, password: password, verified: &verified)
            let action: ResultAction
            switch step {
            case .ok(let user, let fields):
                if passdb.deny { return .failed(.denied) }
                collected.merge(fields) { _, new in new }
                action = passdb.options.onSuccess
                switch action {
                case .returnOK, .returnCurrent, .continueOK:
                    authenticated = (user, collected, passdb.pass)
                default: break
                }
            case .fail(let reason):
                // A wrong password says more than "not in this passdb": keep it for the log.
                if failure == .unknownUser { failure = reason }
                action = passdb.deny ? .continueCurrent : passdb.options.onFailure
                if action == .returnCurrent || action == .continueFail { authenticated = nil }
            case .internalFailure(let message):
                internalError = message
                action = passdb.options.onInternalFailure
            }
            switch action {
            case .returnOK, .returnCurrent:
                return await finish()
            case .returnFail:
                authenticated = nil
                return await finish()
            case .continueFail:
                authenticated = nil
            case .continueCurrent, .continueOK:
                break
            }
        }
        return await finish()
    }

    private func lookup(_ passdb: Passdb, context: LookupContext, password: String?, verified: inout Bool) async -> Step {
        counters.lookups.add(1, ordering: .relaxed)
        if let password, !passdb.deny, let binder = passdb.driver as? any BindingPassdbDriver, binder.verifiesByBinding {
            return await bind(binder, passdb: passdb, context: context, password: password, verified: &verified)
        }
        let entry: PassdbEntry?
        var fields: [String: String]
        do {
            entry = try await passdb.driver.lookup(context)
            guard let entry else { return .fail(.unknownUser) }
            fields = try passdb.options.apply(to: entry.fields, expander: context.expander)
        } catch {
            logger.error("passdb \(passdb.options.name) failed", metadata: ["user": "\(context.user)", "error": "\(error)"])
            return .internalFailure("passdb \(passdb.options.name): \(error)")
        }
        let user = Self.canonicalUser(fields, default: context.user)
        if let stored = entry?.password { fields["password"] = stored }
        if passdb.deny { return .ok(user: user, fields: fields) }
        guard let password else { return .ok(user: user, fields: fields) }

        if !Self.networkAllowed(fields, context) { return .fail(.networkNotAllowed) }
        let matches: Bool
        if let flag = fields["nopassword"], flag.isEmpty || ["y", "yes", "1", "true"].contains(flag.lowercased()) {
            matches = true
        } else if let stored = entry?.password, !stored.isEmpty, let scheme = entry?.defaultScheme {
            verified = true
            do {
                counters.verifications.add(1, ordering: .relaxed)
                dummy.remember(stored, defaultScheme: scheme)
                matches = try await pool.run { try Passwords.verify(password, stored: stored, defaultScheme: scheme) }
            } catch {
                logger.error("passdb \(passdb.options.name): cannot verify password", metadata: ["user": "\(context.user)", "error": "\(error)"])
                return .internalFailure("passdb \(passdb.options.name): \(error)")
            }
        } else {
            matches = false
        }
        guard matches else { return .fail(.passwordMismatch) }
        return .ok(user: user, fields: fields)
    }

    /// The backend checks the password (LDAP auth_bind); fields come back only on success.
    private func bind(
        _ binder: any BindingPassdbDriver, passdb: Passdb, context: LookupContext, password: String,
        verified: inout Bool
    ) async -> Step {
        let fields: [String: String]
        do {
            switch try await binder.authenticate(context, password: password) {
            case .unknownUser: return .fail(.unknownUser)
            case .mismatch:
                verified = true
                return .fail(.passwordMismatch)
            case .matched(let found):
                verified = true
                fields = try passdb.options.apply(to: found, expander: context.expander)
            }
        } catch {
            logger.error("passdb \(passdb.options.name) failed", metadata: ["user": "\(context.user)", "error": "\(error)"])
            return .internalFailure("passdb \(passdb.options.name): \(error)")
        }
        if !Self.networkAllowed(fields, context) { return .fail(.networkNotAllowed) }
        return .ok(user: Self.canonicalUser(fields, default: context.user), fields: fields)
    }

    /// `allow_nets=` restricts where the user may log in from (e.g. nopassword for trusted proxies).
    static func networkAllowed(_ fields: [String: String], _ context: LookupContext) -> Bool {
        guard let nets = fields["allow_nets"] else { return true }
        return NetworkList(nets).contains(context.remoteIP)
    }

    /// `user=` or `username=`+`domain=` from the database replace the login name (case-insensitive lookups).
    static func canonicalUser(_ fields: [String: String], default user: String) -> String {
        if let canonical = fields["user"], !canonical.isEmpty { return canonical }
        if let name = fields["username"], !name.isEmpty {
            if let domain = fields["domain"], !domain.isEmpty { return "\(name)@\(domain)" }
            return name
        }
        return user
    }

    private func burnDummyVerification(_ password: String) async {
        let (hash, scheme) = dummy.current
        counters.verifications.add(1, ordering: .relaxed)
        _ = try? await pool.run { try Passwords.verify(password, stored: hash, defaultScheme: scheme) }
    }
}

/// The hash an unknown user's password is checked against: the last real hash verified (same scheme and
/// cost as the users' own), or a SHA512-CRYPT hash of a random password until one was seen.
final class DummyHash: Sendable {
    private let state: Mutex<(hash: String, scheme: String)>

    init() throws {
        state = Mutex((try Passwords.generate(SecureRandom.alphanumeric(16), scheme: "SHA512-CRYPT"), "PLAIN"))
    }

    var current: (hash: String, scheme: String) { state.withLock { $0 } }

    func remember(_ hash: String, defaultScheme: String) {
        state.withLock { $0 = (hash, defaultScheme) }
    }
}
