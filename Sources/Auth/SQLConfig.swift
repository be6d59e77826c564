import Config
import Foundation

/// A dovecot-sql.conf.ext file: `key = value` lines, `#` comments, `\` continuation lines.
struct SQLConfig: Sendable, Equatable {
    var driver: String
    var connect: String
    var defaultPassScheme: String
    var passwordQuery: String
    var userQuery: String
    var iterateQuery: String

    static let knownKeys: Set<String> = ["driver", "connect", "default_pass_scheme", "password_query", "user_query", "iterate_query"]

    init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("Cannot read the SQL configuration \(path)")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), file: path)
    }

    init(text: String, file: String) throws {
        var values: [String: String] = [:]
        var pending = ""
        var pendingLine = 0
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty {
                if line.isEmpty || line.hasPrefix("#") { continue }
                pendingLine = index + 1
            }
            let continues = line.hasSuffix("\\")
            if continues { line.removeLast() }
            pending += (pending.isEmpty ? "" : " ") + line.trimmingCharacters(in: .whitespaces)
            if continues { continue }
            guard let equals = pending.firstIndex(of: "=") else {
                throw ConfigError("Expected key = value", at: SourceLocation(file: file, line: pendingLine))
            }
            let key = pending[..<equals].trimmingCharacters(in: .whitespaces)
            var value = pending[pending.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard Self.knownKeys.contains(key) else {
                throw ConfigError("Unknown SQL setting \(key)", at: SourceLocation(file: file, line: pendingLine))
            }
            values[key] = value
            pending = ""
        }
        driver = values["driver"] ?? ""
        connect = values["connect"] ?? ""
        // Dovecot's default for SQL passdbs.
        defaultPassScheme = values["default_pass_scheme"] ?? "MD5"
        passwordQuery = values["password_query"] ?? ""
        userQuery = values["user_query"] ?? ""
        iterateQuery = values["iterate_query"] ?? ""
        guard ["sqlite", "mysql"].contains(driver) else {
            throw ConfigError(driver.isEmpty ? "\(file): driver is missing (sqlite or mysql)"
                              : "\(file): SQL driver '\(driver)' is not supported by this build (sqlite, mysql)")
        }
        guard !connect.isEmpty else { throw ConfigError("\(file): connect is missing") }
    }
}
