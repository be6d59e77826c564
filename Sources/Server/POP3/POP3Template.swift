import Config

/// A Dovecot %-template whose one-letter variables have POP3 meanings (`pop3_uidl_format`'s `%u`
/// is the message UID, not the user). Parsed once: the letters are rewritten to long names, so the
/// shared `VariableExpander` applies Dovecot's widths, padding and modifiers (`%08Xu`) unchanged.
struct POP3Template: Sendable, Equatable {
    let template: String
    /// The template with every known letter written as `%…{long_name}`.
    let expandable: String

    /// `letters` maps each allowed letter to its long name; any other letter is a config error.
    init(_ template: String, setting: String, letters: [Character: String]) throws {
        self.template = template
        var output = ""
        let characters = Array(template)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            output.append(character)
            guard character == "%" else { continue }
            // Copy the width, offset and modifier characters; the first letter that names a variable ends it.
            while index < characters.count {
                let next = characters[index]
                index += 1
                if next == "%" && output.last == "%" {
                    output.append(next)
                    break
                }
                if next == "{" {
                    guard let close = characters[index...].firstIndex(of: "}") else {
                        throw ConfigError("\(setting): '%{' without a closing '}' in \"\(template)\"")
                    }
                    output += String(characters[(index - 1)...close])
                    index = close + 1
                    break
                }
                // Modifiers are upper-case letters, variables lower-case ones (Dovecot's own convention).
                if next.isNumber || next == "." || next == "-" || "LUEXRHNMDT".contains(next) {
                    output.append(next)
                    continue
                }
                guard let name = letters[next] else {
                    throw ConfigError(
                        "\(setting): unknown variable %\(next) in \"\(template)\" (known: "
                            + letters.keys.sorted().map { "%\($0)" }.joined(separator: " ") + ")")
                }
                output += "{\(name)}"
                break
            }
        }
        expandable = output
        // Catch what the shared expander refuses (a dangling %) now rather than per message.
        _ = try VariableExpander(values: Dictionary(uniqueKeysWithValues: letters.values.map { ($0, "1") })).expand(expandable)
    }

    func expand(_ values: [String: String]) -> String {
        (try? VariableExpander(values: values).expand(expandable)) ?? expandable
    }
}
