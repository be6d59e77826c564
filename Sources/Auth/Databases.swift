import Config
import Primitives

/// What a passdb or userdb block asks for after a lookup (result_success/result_failure/result_internalfail).
enum ResultAction: String, Sendable {
    case returnOK = "return-ok"
    case returnFail = "return-fail"
    case returnCurrent = "return"
    case continueCurrent = "continue"
    case continueOK = "continue-ok"
    case continueFail = "continue-fail"
}

/// The settings shared by passdb and userdb blocks.
struct DatabaseOptions: Sendable {
    var name: String
    var defaultFields: FieldTemplate
    var overrideFields: FieldTemplate
    var onSuccess: ResultAction
    var onFailure: ResultAction
    var onInternalFailure: ResultAction

    init(_ settings: Settings) {
        name = settings.name ?? settings.string("driver")
        defaultFields = FieldTemplate(settings.string("default_fields"))
        overrideFields = FieldTemplate(settings.string("override_fields"))
        onSuccess = ResultAction(rawValue: settings.string("result_success")) ?? .returnOK
        onFailure = ResultAction(rawValue: settings.string("result_failure")) ?? .continueCurrent
        onInternalFailure = ResultAction(rawValue: settings.string("result_internalfail")) ?? .continueCurrent
    }

    /// default_fields under, override_fields over what the database returned.
    func apply(to fields: [String: String], expander: VariableExpander) throws -> [String: String] {
        var result = try defaultFields.expanded(with: expander)
        result.merge(fields) { _, database in database }
        result.merge(try overrideFields.expanded(with: expander)) { _, override in override }
        return result
    }
}

struct Passdb: Sendable {
    enum Skip: String, Sendable { case never, authenticated, unauthenticated }

    var driver: any PassdbDriver
    var options: DatabaseOptions
    var master: Bool
    var pass: Bool
    var deny: Bool
    var skip: Skip
}

struct Userdb: Sendable {
    enum Skip: String, Sendable { case never, found, notfound }

    var driver: any UserdbDriver
    var options: DatabaseOptions
    var skip: Skip
}

/// Builds drivers from `passdb { }` / `userdb { }` blocks.
enum DriverFactory {
    static func passdb(_ settings: Settings, pool: BlockingPool) throws -> Passdb {
        guard let driver = try bothKinds(settings, pool: pool) else { throw unsupported(kind: "passdb", settings: settings) }
        return Passdb(
            driver: driver, options: DatabaseOptions(settings), master: settings.bool("master"),
            pass: settings.bool("pass"), deny: settings.bool("deny"),
            skip: Passdb.Skip(rawValue: settings.string("skip")) ?? .never)
    }

    static func userdb(_ settings: Settings, pool: BlockingPool) throws -> Userdb {
        let driver: any UserdbDriver
        if settings.string("driver") == "prefetch" {
            driver = PrefetchUserdb()
        } else if let both = try bothKinds(settings, pool: pool) {
            driver = both
        } else {
            throw unsupported(kind: "userdb", settings: settings)
        }
        return Userdb(
            driver: driver, options: DatabaseOptions(settings),
            skip: Userdb.Skip(rawValue: settings.string("skip")) ?? .never)
    }

    /// The drivers that serve as passdb and userdb alike; nil for any other name.
    private static func bothKinds(_ settings: Settings, pool: BlockingPool) throws -> (any PassdbDriver & UserdbDriver)? {
        let args = settings.string("args")
        switch settings.string("driver") {
        case "passwd-file": return try PasswdFileDriver(args: args, pool: pool)
        case "static": return StaticDriver(args: args)
        case "sql": return try SQLDriver(configPath: args, pool: pool)
        case "ldap": return try LDAPDriver(configPath: args, pool: pool)
        default: return nil
        }
    }

    private static func unsupported(kind: String, settings: Settings) -> ConfigError {
        let driver = settings.string("driver")
        let known = kind == "passdb" ? "passwd-file, static, sql, ldap" : "passwd-file, static, sql, ldap, prefetch"
        let message =
            driver.isEmpty
            ? "\(kind) needs a driver (\(known))"
            : "\(kind) driver '\(driver)' is not supported by this build (supported: \(known))"
        return ConfigError(message, at: settings.location(of: "driver") ?? settings.section.location)
    }
}
