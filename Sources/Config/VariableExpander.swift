import Crypto
import Foundation
import Primitives

/// Dovecot's `%`-variables for run-time templates (`mail_home = /var/vmail/%2Mu/%u`,
/// `mail_location = obox:%8Mu/%u`, SQL queries, log prefixes).
///
/// Syntax: `%[-][0][offset.][-][0]width][modifiers](letter|{long_name})`, `%%` for a percent sign.
/// Modifiers: L lowercase, U uppercase, E backslash-escape quotes, X decimal→hex, R reverse,
/// H/N 32-bit hash in hex (N from MD5; a width is the modulus), M MD5 hex, D `.`→`,dc=`, T trim.
/// Offset and width cut the result: `%2Mu` is the first two hex digits of MD5(user),
/// `%2.3Mu` the three after them; a width prefixed with 0 pads instead of cutting.
public struct VariableExpander: Sendable {
    /// Values by long name (`user`, `username`, `domain`, `home`, `session` …).
    public var values: [String: String]

    /// One-letter names and the long names they stand for.
    public static let shortNames: [Character: String] = [
        "u": "user", "n": "username", "d": "domain", "h": "home", "s": "service",
        "l": "lip", "r": "rip", "p": "pid", "i": "uid", "w": "password", "g": "guid"
    ]

    /// The one-letter names this expander knows: `shortNames`, unless a template language of its
    /// own gives letters other meanings (imap_logout_format's %i and %o are bytes in and out).
    public var letters: [Character: String] = VariableExpander.shortNames

    public init(values: [String: String] = [:]) {
        self.values = values
    }

    /// The variables of a mail user: `%u` is the full name, `%n` the part before `@`, `%d` the part after.
    public static func forUser(
        _ user: String, home: String? = nil, service: String? = nil,
        session: String? = nil, extra: [String: String] = [:]
    ) -> VariableExpander {
        var values = extra
        values["user"] = user
        if let at = user.lastIndex(of: "@") {
            values["username"] = String(user[..<at])
            values["domain"] = String(user[user.index(after: at)...])
        } else {
            values["username"] = user
            values["domain"] = ""
        }
        if let home { values["home"] = home }
        if let service { values["service"] = service }
        if let session { values["session"] = session }
        return VariableExpander(values: values)
    }

    public func expand(_ template: String) throws -> String {
        var output = ""
        let characters = Array(template)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            guard character == "%" else {
                output.append(character)
                continue
            }
            guard index < characters.count else {
                throw ConfigError("Template \"\(template)\" ends with a lone '%' (write %% for a percent sign)")
            }
            if characters[index] == "%" {
                output.append("%")
                index += 1
                continue
            }
            var spec = FieldSpec()
            spec.parse(characters, &index)
            guard index < characters.count else {
                throw ConfigError("Template \"\(template)\" ends inside a %-variable")
            }
            let raw: String
            if characters[index] == "{" {
                guard let close = characters[index...].firstIndex(of: "}") else {
                    throw ConfigError("Template \"\(template)\" has '%{' without a closing '}'")
                }
                let name = String(characters[(index + 1)..<close])
                raw = try longValue(name, template: template)
                index = close + 1
            } else {
                let letter = characters[index]
                guard let name = letters[letter], let value = values[name] else {
                    throw ConfigError("Unknown variable %\(letter) in \"\(template)\"")
                }
                raw = value
                index += 1
            }
            output += spec.apply(to: raw)
        }
        return output
    }

    private func longValue(_ name: String, template: String) throws -> String {
        if let value = values[name] { return value }
        if name.hasPrefix("env:") { return ProcessInfo.processInfo.environment[String(name.dropFirst(4))] ?? "" }
        switch name {
        case "hostname": return ProcessInfo.processInfo.hostName
        case "pid": return String(getpid())
        default: throw ConfigError("Unknown variable %{\(name)} in \"\(template)\"")
        }
    }
}

/// The `[offset.]width` and modifier part of one `%`-variable.
private struct FieldSpec {
    var offset = 0
    var width = 0
    var zeroPadding = false
    var modifiers: [Character] = []

    static let modifierLetters: Set<Character> = ["L", "U", "E", "X", "R", "H", "N", "M", "D", "T"]

    mutating func parse(_ characters: [Character], _ index: inout Int) {
        func number() -> Int {
            var value = 0
            while index < characters.count, let digit = characters[index].wholeNumberValue, characters[index].isASCII {
                value = value * 10 + digit
                index += 1
            }
            return value
        }
        var sign = 1
        if index < characters.count, characters[index] == "-" {
            sign = -1
            index += 1
        }
        if index < characters.count, characters[index] == "0" {
            zeroPadding = true
            index += 1
        }
        width = number()
        if index < characters.count, characters[index] == "." {
            index += 1
            offset = sign * width
            sign = 1
            zeroPadding = false
            if index < characters.count, characters[index] == "0" {
                zeroPadding = true
                index += 1
            }
            if index < characters.count, characters[index] == "-" {
                sign = -1
                index += 1
            }
            width = sign * number()
        }
        while index < characters.count, Self.modifierLetters.contains(characters[index]), modifiers.count < 10 {
            modifiers.append(characters[index])
            index += 1
        }
    }

    func apply(to raw: String) -> String {
        var context = self
        var value = raw
        for modifier in modifiers { value = context.modify(value, with: modifier) }
        return context.cut(value)
    }

    private mutating func modify(_ value: String, with modifier: Character) -> String {
        switch modifier {
        case "L": return value.lowercased()
        case "U": return value.uppercased()
        case "E":
            var escaped = ""
            for character in value {
                if character == "\"" || character == "'" || character == "\\" { escaped.append("\\") }
                escaped.append(character)
            }
            return escaped
        case "X": return String(UInt64(value) ?? 0, radix: 16)
        case "R": return String(value.reversed())
        case "M": return Hex.encode(Insecure.MD5.hash(data: Array(value.utf8)))
        case "H": return hashString(UInt64(Self.oldHash(value)))
        case "N":
            let digest = Array(Insecure.MD5.hash(data: Array(value.utf8)))
            let first8 = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            return hashString(first8)
        case "D": return value.replacingOccurrences(of: ".", with: ",dc=")
        case "T":
            var trimmed = Substring(value)
            while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
            return String(trimmed)
        default: return value
        }
    }

    /// H and N use the width as a modulus and the offset as a zero-padded length, then clear both.
    private mutating func hashString(_ hash: UInt64) -> String {
        var value = hash
        if width != 0 {
            value %= UInt64(abs(width))
            width = 0
        }
        var text = String(UInt32(truncatingIfNeeded: value), radix: 16)
        while text.count < offset { text = "0" + text }
        offset = 0
        return text
    }

    /// Dovecot's str_hash (a PJW/ELF-style hash), kept for `%H` compatibility.
    static func oldHash(_ value: String) -> UInt32 {
        var hash: UInt32 = 0
        for byte in value.utf8 {
            hash = (hash << 4) &+ UInt32(byte)
            let high = hash & 0xF000_0000
            if high != 0 {
                hash ^= high >> 24
                hash ^= high
            }
        }
        return hash
    }

    private func cut(_ value: String) -> String {
        var characters = Substring(value)
        if offset < 0 {
            if characters.count > -offset { characters = characters.suffix(-offset) }
        } else {
            characters = characters.dropFirst(offset)
        }
        if width == 0 { return String(characters) }
        if !zeroPadding {
            let keep = width < 0 ? max(0, characters.count + width) : width
            return String(characters.prefix(keep))
        }
        return String(repeating: "0", count: max(0, width - characters.count)) + characters
    }
}
