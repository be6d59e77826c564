import Config

/// Dovecot's `key=value key2=value2 flag` field lists (passwd-file extra fields, driver args,
/// override_fields/default_fields), with values expanded as %-templates when asked.
struct FieldTemplate: Sendable, Equatable {
    var entries: [(key: String, value: String)]

    static func == (lhs: FieldTemplate, rhs: FieldTemplate) -> Bool {
        lhs.entries.map(\.key) == rhs.entries.map(\.key) && lhs.entries.map(\.value) == rhs.entries.map(\.value)
    }

    init(_ text: String) {
        entries = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { word in
            if let equals = word.firstIndex(of: "=") {
                return (String(word[..<equals]), String(word[word.index(after: equals)...]))
            }
            return (String(word), "")
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    func value(_ key: String) -> String? { entries.last(where: { $0.key == key })?.value }

    func expanded(with expander: VariableExpander) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in entries { result[key] = try expander.expand(value) }
        return result
    }

    func literal() -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in entries { result[key] = value }
        return result
    }
}

/// Splitting passdb fields into the passdb's own and the `userdb_` ones kept for the prefetch userdb.
enum FieldSplit {
    static let userdbPrefix = "userdb_"

    static func userdbFields(of fields: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in fields where key.hasPrefix(userdbPrefix) {
            result[String(key.dropFirst(userdbPrefix.count))] = value
        }
        return result
    }

    static func passdbFields(of fields: [String: String]) -> [String: String] {
        fields.filter { !$0.key.hasPrefix(userdbPrefix) }
    }
}
