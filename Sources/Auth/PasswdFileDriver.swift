import Config
import Foundation
import Primitives

/// Dovecot's passwd-file: `user:{SCHEME}hash:uid:gid:gecos:home:shell:extra_fields`, one user per line.
/// The path may hold %-variables (`/etc/dovecot/%d/passwd`); each file is re-read when its mtime or size changes.
final class PasswdFileDriver: PassdbDriver, UserdbDriver {
    let pathTemplate: String
    let usernameFormat: String
    let defaultScheme: String
    private let files: PasswdFileCache

    init(args: String, pool: BlockingPool) throws {
        let arguments = DriverArguments(args)
        guard let path = arguments.path else {
            throw ConfigError("passwd-file needs a file path in args (got '\(args)')")
        }
        pathTemplate = path
        usernameFormat = arguments.options["username_format"] ?? "%u"
        // Dovecot's passwd-file default scheme is CRYPT: any crypt(3) hash.
        defaultScheme = arguments.options["scheme"] ?? "CRYPT"
        files = PasswdFileCache(pool: pool)
    }

    private func record(for context: LookupContext) async throws -> PasswdRecord? {
        let expander = context.expander
        let path = try expander.expand(pathTemplate)
        let key = try expander.expand(usernameFormat)
        return try await files.users(at: path)[key]
    }

    func lookup(_ context: LookupContext) async throws -> PassdbEntry? {
        guard let record = try await record(for: context) else { return nil }
        var fields = try record.expandedExtraFields(context)
        // The prefetch userdb gets uid/gid/home as userdb_ fields, as with Dovecot's passwd-file passdb.
        for (key, value) in record.userdbColumns where fields["userdb_" + key] == nil { fields["userdb_" + key] = value }
        return PassdbEntry(password: record.password, defaultScheme: defaultScheme, fields: fields)
    }

    func lookup(_ context: LookupContext) async throws -> UserdbLookup {
        guard let record = try await record(for: context) else { return .notFound }
        var fields = record.userdbColumns
        for (key, value) in try record.expandedExtraFields(context) {
            if key.hasPrefix(FieldSplit.userdbPrefix) {
                fields[String(key.dropFirst(FieldSplit.userdbPrefix.count))] = value
            }
        }
        return .found(fields)
    }

    func iterate() async throws -> [String] {
        // A per-domain path cannot be listed without knowing the domains.
        guard !pathTemplate.contains("%") else { return [] }
        return try await files.users(at: pathTemplate).keys.sorted()
    }
}

struct PasswdRecord: Sendable, Equatable {
    var user: String
    var password: String?
    /// uid, gid and home from their columns.
    var userdbColumns: [String: String]
    var extraFields: [String: String]

    /// One line, or nil for blank lines and comments.
    init?(line: Substring) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        // The extra fields are the rest of the line after the 7th colon and may contain colons themselves.
        let columns = trimmed.split(separator: ":", maxSplits: 7, omittingEmptySubsequences: false).map(String.init)
        guard !columns[0].isEmpty else { return nil }
        user = columns[0]
        password = columns.count > 1 && !columns[1].isEmpty ? columns[1] : nil
        userdbColumns = [:]
        for (index, name) in [(2, "uid"), (3, "gid"), (5, "home")] where columns.count > index && !columns[index].isEmpty {
            userdbColumns[name] = columns[index]
        }
        extraFields = columns.count > 7 ? FieldTemplate(columns[7]).literal() : [:]
    }

    /// Extra field values may use %-variables (`userdb_mail=obox:%u`), as in Dovecot.
    func expandedExtraFields(_ context: LookupContext) throws -> [String: String] {
        guard extraFields.values.contains(where: { $0.contains("%") }) else { return extraFields }
        let expander = context.expander
        return try extraFields.mapValues { try expander.expand($0) }
    }

    static func parse(_ text: String) -> [String: PasswdRecord] {
        var users: [String: PasswdRecord] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            // Dovecot keeps the first line for a user.
            if let record = PasswdRecord(line: line), users[record.user] == nil { users[record.user] = record }
        }
        return users
    }
}

/// Parsed passwd-files by path, re-read when stat() shows a new mtime or size.
actor PasswdFileCache {
    private struct Loaded {
        var modified: timespec
        var size: Int64
        var users: [String: PasswdRecord]
    }

    private let pool: BlockingPool
    private var loaded: [String: Loaded] = [:]
    /// Number of times a file was (re)read: lets tests see reloads.
    private(set) var reads = 0

    init(pool: BlockingPool) {
        self.pool = pool
    }

    func users(at path: String) async throws -> [String: PasswdRecord] {
        let cached = loaded[path]
        let result = try await pool.run { () throws -> Loaded? in
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return Loaded(modified: timespec(), size: -1, users: [:]) }
                throw AuthBackendError(driver: "passwd-file", "stat(\(path)) failed: \(String(cString: strerror(errno)))")
            }
            if let cached, cached.size == Int64(info.st_size),
                cached.modified.tv_sec == info.st_mtim.tv_sec, cached.modified.tv_nsec == info.st_mtim.tv_nsec
            {
                return nil
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw AuthBackendError(driver: "passwd-file", "cannot read \(path)")
            }
            return Loaded(modified: info.st_mtim, size: Int64(info.st_size), users: PasswdRecord.parse(String(decoding: data, as: UTF8.self)))
        }
        guard let fresh = result else { return cached?.users ?? [:] }
        reads += 1
        loaded[path] = fresh
        return fresh.users
    }
}
