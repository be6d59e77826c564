/// Character-by-character escaping for values placed into SQL queries and LDAP filters.
enum Escaping {
    static func replace(_ value: String, _ table: [Unicode.Scalar: String]) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars {
            if let replacement = table[scalar] { escaped += replacement } else { escaped.unicodeScalars.append(scalar) }
        }
        return escaped
    }
}
