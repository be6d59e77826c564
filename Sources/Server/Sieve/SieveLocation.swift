import Config
import Sieve

/// Pigeonhole's script locations (`[file:]PATH[;option=value…]`) and extension lists.
enum SieveLocation {
    /// The path of a location; only the file driver exists here (dict:, ldap: are refused).
    static func path(of value: String, setting: String, at place: SourceLocation?) throws -> String {
        var rest = Substring(value)
        if let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("/") {
            let driver = rest[..<colon]
            guard driver == "file" else {
                throw ConfigError("\(setting): only file: locations are supported, not '\(driver):'", at: place)
            }
            rest = rest[rest.index(after: colon)...]
        }
        let path = rest.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !path.isEmpty else { throw ConfigError("\(setting): the location names no path: '\(value)'", at: place) }
        return path
    }

    /// A list (`fileinto reject`) replaces `base`; `+NAME`/`-NAME` change it. Unknown names are refused: a script
    /// requiring an extension this build lacks would fail.
    static func extensions(_ value: String, base: Set<String>, setting: String, at place: SourceLocation?) throws -> Set<String> {
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { return base }
        let relative = words.allSatisfy { $0.hasPrefix("+") || $0.hasPrefix("-") }
        var result = relative ? base : []
        for word in words {
            let name = word.hasPrefix("+") || word.hasPrefix("-") ? String(word.dropFirst()) : word
            guard sieveSupportedExtensions.contains(name) else {
                throw ConfigError(
                    "\(setting): the Sieve extension '\(name)' is not implemented (available: "
                        + sieveSupportedExtensions.sorted().joined(separator: " ") + ")", at: place)
            }
            if word.hasPrefix("-") { result.remove(name) } else { result.insert(name) }
        }
        return result
    }
}
