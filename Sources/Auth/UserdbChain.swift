import Logging

/// Runs userdb blocks in order; `continue-ok` merges the fields of several userdbs.
struct UserdbChain: Sendable {
    let userdbs: [Userdb]
    /// For the static userdb without allow_all_users: the user exists if a passdb knows them.
    let passdbs: PassdbChain
    let logger: Logger

    func run(_ context: LookupContext) async throws -> UserRecord? {
        var found: [String: String]?
        var internalError: AuthBackendError?
        for userdb in userdbs {
            if userdb.skip == .found && found != nil { continue }
            if userdb.skip == .notfound && found == nil { continue }
            let action: ResultAction
            var stepFound = false
            do {
                if let fields = try await lookup(userdb, context: context) {
                    found = (found ?? [:]).merging(try userdb.options.apply(to: fields, expander: context.expander)) { _, new in new }
                    stepFound = true
                    action = userdb.options.onSuccess
                } else {
                    action = userdb.options.onFailure
                }
            } catch {
                logger.error("userdb \(userdb.options.name) failed", metadata: ["user": "\(context.user)", "error": "\(error)"])
                internalError = AuthBackendError(driver: "userdb \(userdb.options.name)", "\(error)")
                action = userdb.options.onInternalFailure
            }
            switch action {
            case .returnOK, .returnCurrent:
                if stepFound || action == .returnOK { return record(found, context) }
                return nil
            case .returnFail:
                return nil
            case .continueFail:
                found = nil
            case .continueCurrent, .continueOK:
                break
            }
        }
        if found == nil, let internalError { throw internalError }
        return record(found, context)
    }

    private func lookup(_ userdb: Userdb, context: LookupContext) async throws -> [String: String]? {
        switch try await userdb.driver.lookup(context) {
        case .found(let fields): return fields
        case .notFound: return nil
        case .foundIfPassdbKnows(let fields):
            switch await passdbs.run(context, password: nil) {
            case .authenticated: return fields
            case .failed: return nil
            case .internalFailure(let message): throw AuthBackendError(driver: "passdb", message)
            }
        }
    }

    private func record(_ fields: [String: String]?, _ context: LookupContext) -> UserRecord? {
        guard var fields else { return nil }
        let user = fields.removeValue(forKey: "user") ?? context.user
        return UserRecord(user: user, fields: fields)
    }

    func iterate() async throws -> [String] {
        var seen = Set<String>()
        var users: [String] = []
        for userdb in userdbs {
            for user in try await userdb.driver.iterate() where seen.insert(user).inserted { users.append(user) }
        }
        return users
    }
}
