import Foundation

/// A LIST pattern: `*` matches anything, `%` anything but the hierarchy separator (RFC 3501 §6.3.8).
/// INBOX is matched case-insensitively, as its name is.
struct MailboxPattern {
    let characters: [Character]
    let separator: Character

    init(_ pattern: String, separator: Character) {
        var text = pattern
        if text.uppercased().hasPrefix("INBOX") {
            let rest = text.dropFirst(5)
            if rest.isEmpty || rest.first == separator { text = "INBOX" + rest }
        }
        characters = Array(text)
        self.separator = separator
    }

    /// INBOX is case-insensitive (RFC 3501 §5.1), so a pattern matches it in any case (`*b*` lists INBOX, as in Dovecot).
    func matches(_ name: String) -> Bool {
        if Self.match(characters[...], Array(name)[...], separator: separator) { return true }
        guard name == "INBOX" else { return false }
        return Self.match(Array(String(characters).uppercased())[...], Array(name)[...], separator: separator)
    }

    private static func match(_ pattern: ArraySlice<Character>, _ name: ArraySlice<Character>, separator: Character) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        let rest = pattern.dropFirst()
        switch first {
        case "*", "%":
            var candidate = name
            while true {
                if match(rest, candidate, separator: separator) { return true }
                guard let next = candidate.first, first == "*" || next != separator else { return false }
                candidate = candidate.dropFirst()
            }
        default:
            guard name.first == first else { return false }
            return match(rest, name.dropFirst(), separator: separator)
        }
    }
}
