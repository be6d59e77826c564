import Config
import Foundation

/// The `key = value` file format of dovecot-sql.conf.ext and dovecot-ldap.conf.ext:
/// `#` comments, `\` continuation lines, optional quotes around a value.
enum KeyValueFile {
    static func read(_ path: String, knownKeys: Set<String>) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("Cannot read \(path)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, knownKeys: knownKeys)
    }

    static func parse(_ text: String, file: String, knownKeys: Set<String>) throws -> [String: String] {
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
            guard knownKeys.contains(key) else {
                throw ConfigError("Unknown setting \(key)", at: SourceLocation(file: file, line: pendingLine))
            }
            values[key] = value
            pending = ""
        }
        return values
    }
}
