import Config
import Logging
import Primitives
import Synchronization

/// Authenticates logins and looks users up for the protocol servers, from the `passdb { }` and
/// `userdb { }` blocks of the configuration. Every blocking step (crypt, file reads, SQL) runs on a
/// `BlockingPool`, so the async methods may be awaited from tasks started by NIO handlers.
public final class Authenticator: Sendable {
    let passdbs: PassdbChain
    let masterPassdbs: PassdbChain
    let userdbs: UserdbChain
    let usernameFormat: String
    let defaultRealm: String
    let masterSeparator: String
    let failureDelay: Double
    let cache: AuthCache?
    let penalty = AuthPenalty()
    /// False with `service anvil { unix_listener anvil-auth-penalty { mode = 0 } }`, Dovecot's way to switch the penalty off.
    let penaltyEnabled: Bool
    /// `auth_mechanisms`, upper case (PLAIN, LOGIN): what the protocols offer and accept.
    public let mechanisms: [String]
    let clock: any AuthClock
    let logger: Logger
    let counters = AuthCounters()

    /// Reads the auth settings and builds every driver; a bad block is a `ConfigError` with file:line.
    public init(
        settings: Settings, clock: any AuthClock = SystemAuthClock(), pool: BlockingPool = .auth,
        logger: Logger = Logger(label: "objectmail.auth")
    ) throws {
        var normal: [Passdb] = []
        var master: [Passdb] = []
        for block in settings.sections("passdb") {
            let passdb = try DriverFactory.passdb(block, pool: pool)
            if passdb.master { master.append(passdb) } else { normal.append(passdb) }
        }
        let userdbBlocks = try settings.sections("userdb").map { try DriverFactory.userdb($0, pool: pool) }
        guard !normal.isEmpty else { throw ConfigError("No passdb configured: add a passdb { driver = … } block") }
        guard !userdbBlocks.isEmpty else { throw ConfigError("No userdb configured: add a userdb { driver = … } block") }

        let dummy = try DummyHash()
        passdbs = PassdbChain(passdbs: normal, pool: pool, logger: logger, counters: counters, dummy: dummy)
        masterPassdbs = PassdbChain(passdbs: master, pool: pool, logger: logger, counters: counters, dummy: dummy)
        userdbs = UserdbChain(userdbs: userdbBlocks, passdbs: passdbs, logger: logger)
        usernameFormat = settings.string("auth_username_format")
        defaultRealm = settings.string("auth_default_realm")
        masterSeparator = settings.string("auth_master_user_separator")
        failureDelay = Double(settings.milliseconds("auth_failure_delay")) / 1000
        let cacheSize = settings.size("auth_cache_size")
        cache =
            cacheSize > 0
            ? AuthCache(
                capacity: Int(cacheSize),
                ttl: Double(settings.milliseconds("auth_cache_ttl")) / 1000,
                negativeTTL: Double(settings.milliseconds("auth_cache_negative_ttl")) / 1000) : nil
        mechanisms =
            settings.definition.setting("auth_mechanisms") == nil
            ? AuthSettings.builtMechanisms.map { $0.uppercased() } : settings.list("auth_mechanisms").map { $0.uppercased() }
        penaltyEnabled = !Self.penaltySocketDisabled(settings)
        self.clock = clock
        self.logger = logger
    }

    /// Dovecot's auth processes reach anvil's penalty table through this socket; mode 0 leaves them without it.
    static func penaltySocketDisabled(_ settings: Settings) -> Bool {
        guard settings.definition.section("service") != nil else { return false }
        return settings.sections("service").filter { $0.name == "anvil" }
            .flatMap { $0.sections("unix_listener") }
            .contains { $0.name == "anvil-auth-penalty" && UInt32($0.string("mode"), radix: 8) == 0 }
    }

    /// `auth_master_user_separator`: protocols turn a SASL authorization identity into `user<sep>master`.
    public var masterUserSeparator: String { masterSeparator }

    /// How many times a passdb driver was asked (cache hits do not ask): for metrics and tests.
    public var passdbLookupCount: Int { counters.lookups.load(ordering: .relaxed) }

    /// How many password hashes were verified (dummy ones for unknown users included).
    public var passwordVerificationCount: Int { counters.verifications.load(ordering: .relaxed) }

    public func authenticate(
        user: String, password: String, service: String, remoteIP: String? = nil,
        localIP: String? = nil, secured: Bool = false
    ) async -> AuthResult {
        await authenticate(
            AuthRequest(
                user: user, password: password, service: service, remoteIP: remoteIP,
                localIP: localIP, secured: secured))
    }

    /// A login. Waits first for the remote IP's penalty, and after a failure for `auth_failure_delay`.
    public func authenticate(_ request: AuthRequest) async -> AuthResult {
        if penaltyEnabled, let ip = request.remoteIP {
            let wait = await penalty.delay(for: ip, now: clock.now())
            if wait > 0 { await clock.sleep(seconds: wait) }
        }
        let result = await authenticateWithoutDelay(request)
        switch result {
        case .success(let success):
            if let ip = request.remoteIP { await penalty.recordSuccess(ip: ip) }
            logger.debug(
                "login",
                metadata: [
                    "user": "\(success.user)", "master": "\(success.masterUser ?? "")",
                    "service": "\(request.service)", "rip": "\(request.remoteIP ?? "")"
                ])
        case .failure(let reason):
            logger.info(
                "authentication failed",
                metadata: [
                    "user": "\(request.user)", "reason": "\(reason.rawValue)",
                    "service": "\(request.service)", "rip": "\(request.remoteIP ?? "")"
                ])
            if let ip = request.remoteIP { await penalty.recordFailure(ip: ip, now: clock.now()) }
            if failureDelay > 0 { await clock.sleep(seconds: failureDelay) }
        case .temporaryFailure(let message):
            logger.error("authentication temporarily failed", metadata: ["user": "\(request.user)", "error": "\(message)"])
        }
        return result
    }

    private func authenticateWithoutDelay(_ request: AuthRequest) async -> AuthResult {
        let login: (user: String, master: String?)
        do {
            login = try normalize(request.user)
        } catch {
            return .temporaryFailure("auth_username_format: \(error)")
        }
        let key = cache?.key(user: login.user, masterUser: login.master, service: request.service, password: request.password)
        if let cache, let key, let cached = await cache.lookup(key, now: clock.now()) { return cached }
        let result = await resolve(login, request)
        if let cache, let key { await cache.store(result, for: key, now: clock.now()) }
        return result
    }

    private func resolve(_ login: (user: String, master: String?), _ request: AuthRequest) async -> AuthResult {
        let context = LookupContext(
            user: login.user, service: request.service, remoteIP: request.remoteIP,
            localIP: request.localIP, prefetched: nil, secured: request.secured)
        var user = login.user
        var fields: [String: String] = [:]
        if let master = login.master {
            guard !masterPassdbs.passdbs.isEmpty else { return .failure(.unknownUser) }
            switch await masterPassdbs.run(context.with(user: master), password: request.password) {
            case .authenticated(_, _, let pass):
                if pass {
                    switch await passdbs.run(context, password: nil) {
                    case .authenticated(let target, let targetFields, _): (user, fields) = (target, targetFields)
                    case .failed(let reason): return .failure(reason)
                    case .internalFailure(let message): return .temporaryFailure(message)
                    }
                }
            case .failed(let reason): return .failure(reason)
            case .internalFailure(let message): return .temporaryFailure(message)
            }
        } else {
            switch await passdbs.run(context, password: request.password) {
            case .authenticated(let canonical, let found, _): (user, fields) = (canonical, found)
            case .failed(let reason): return .failure(reason)
            case .internalFailure(let message): return .temporaryFailure(message)
            }
        }
        var userContext = context.with(user: user)
        userContext.prefetched = FieldSplit.userdbFields(of: fields)
        do {
            guard let record = try await userdbs.run(userContext) else { return .failure(.unknownInUserdb) }
            var passdbFields = FieldSplit.passdbFields(of: fields)
            passdbFields["password"] = nil
            return .success(AuthSuccess(user: record.user, masterUser: login.master, passdbFields: passdbFields, userdb: record))
        } catch {
            return .temporaryFailure("\(error)")
        }
    }

    /// auth_default_realm, the master separator, then auth_username_format.
    func normalize(_ raw: String) throws -> (user: String, master: String?) {
        var user = raw
        var master: String?
        if !masterSeparator.isEmpty, let range = user.range(of: masterSeparator) {
            master = String(user[range.upperBound...])
            user = String(user[..<range.lowerBound])
        }
        return (try format(user), try master.map(format))
    }

    private func format(_ name: String) throws -> String {
        var name = name
        if !defaultRealm.isEmpty && !name.contains("@") { name += "@" + defaultRealm }
        return try VariableExpander.forUser(name).expand(usernameFormat)
    }

    /// The userdb record for a recipient or an admin command (no password): nil when no userdb knows the user.
    /// Throws `AuthBackendError` when a backend cannot answer (LMTP should then answer 4xx).
    /// The name is not a login, so the master separator has no meaning in it (as in Dovecot's userdb lookups):
    /// `user*master` is looked up as it is, and is unknown, rather than delivered to `user`.
    public func lookupUser(_ name: String, service: String = "lmtp") async throws -> UserRecord? {
        let user = try format(name)
        return try await userdbs.run(LookupContext(user: user, service: service, remoteIP: nil, localIP: nil, prefetched: nil))
    }

    /// The passdb fields of a user without checking a password (`objectmail auth lookup`); nil when unknown.
    public func lookupPassdb(_ name: String, service: String = "doveadm") async throws -> (user: String, fields: [String: String])? {
        let user = try format(name)
        switch await passdbs.run(LookupContext(user: user, service: service, remoteIP: nil, localIP: nil, prefetched: nil), password: nil) {
        case .authenticated(let canonical, let fields, _): return (canonical, fields)
        case .failed: return nil
        case .internalFailure(let message): throw AuthBackendError(driver: "passdb", message)
        }
    }

    /// Every user the userdbs can list (passwd-file, sql iterate_query), each once, in userdb order.
    public func iterateUsers() async throws -> [String] {
        try await userdbs.iterate()
    }
}

/// Work counters shared by the passdb chains.
final class AuthCounters: Sendable {
    let lookups = Atomic<Int>(0)
    let verifications = Atomic<Int>(0)
}
