/// One SQL backend as the sql driver uses it. Implementations block: they are called on `BlockingPool` threads.
protocol SQLConnection: Sendable {
    /// Rows as column name → text; NULL columns are left out.
    func query(_ sql: String) throws -> [[String: String]]
    /// Quotes a value for use inside '…' in a query, as the backend's own escaping does.
    func escape(_ value: String) -> String
}

/// `connect = host=127.0.0.1 dbname=mail user=mailuser password=secret port=3306` as Dovecot writes it.
struct ConnectString: Sendable, Equatable {
    var values: [String: String] = [:]

    init(_ text: String) {
        var rest = Substring(text)
        while true {
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = String(rest[..<equals]).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            // Values may be quoted to hold spaces: password="a b".
            if let quote = rest.first, quote == "\"" || quote == "'" {
                rest = rest.dropFirst()
                value = String(rest.prefix(while: { $0 != quote }))
                rest = rest.dropFirst(value.count + 1)
            } else {
                value = String(rest.prefix(while: { $0 != " " && $0 != "\t" }))
                rest = rest.dropFirst(value.count)
            }
            values[key] = value
        }
    }

    subscript(_ key: String) -> String? { values[key] }
}
