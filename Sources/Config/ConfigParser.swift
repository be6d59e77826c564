import Foundation

/// Reads Dovecot's configuration syntax into a `ConfigSection` tree:
/// `key = value`, `type [name] {` … `}`, `#` comments, `\` continuation lines, quoted values,
/// `<path` values read from a file, `!include` / `!include_try` with globs (relative to the including
/// file), and `$setting` references at the start of a value (`mail_plugins = $mail_plugins quota`).
public struct ConfigParser: Sendable {
    /// The value a `$name` reference stands for when the name was not set earlier: the registry's default.
    public var defaultValue: @Sendable (String) -> String?
    /// Names a `$name` reference may use, for "did you mean" suggestions.
    public var knownNames: @Sendable () -> [String]

    static let maxIncludeDepth = 20

    public init(
        defaultValue: @escaping @Sendable (String) -> String? = { _ in nil },
        knownNames: @escaping @Sendable () -> [String] = { [] }
    ) {
        self.defaultValue = defaultValue
        self.knownNames = knownNames
    }

    public func parse(file path: String) throws -> ConfigSection {
        let text = try Self.readFile(path, referencedFrom: nil)
        return try parse(text: text, file: path)
    }

    public func parse(text: String, file: String) throws -> ConfigSection {
        var state = ParseState(root: ConfigSection(type: "", name: nil, location: SourceLocation(file: file, line: 0)))
        try parseLines(text, file: file, depth: 0, state: &state)
        if let open = state.stack.last {
            throw ConfigError("Missing '}' for section '\(open.type)' started here", at: open.location)
        }
        return state.root
    }

    // MARK: - Lines

    private struct ParseState {
        var root: ConfigSection
        /// Sections opened and not yet closed, innermost last.
        var stack: [ConfigSection] = []

        mutating func add(_ entry: ConfigEntry) {
            if stack.isEmpty { root.entries.append(entry) } else { stack[stack.count - 1].entries.append(entry) }
        }

        mutating func close() {
            let done = stack.removeLast()
            if stack.isEmpty { root.sections.append(done) } else { stack[stack.count - 1].sections.append(done) }
        }

        /// The latest value of `key` visible from the current section (innermost first, then outwards).
        func visibleValue(_ key: String) -> String? {
            for section in stack.reversed() { if let value = section.value(key) { return value } }
            return root.value(key)
        }
    }

    private func parseLines(_ text: String, file: String, depth: Int, state: inout ParseState) throws {
        var pending = "" // a line continued with a trailing backslash
        var pendingStart = 0
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmedEnd = line.trimmingTrailingWhitespace()
            if trimmedEnd.hasSuffix("\\") {
                if pending.isEmpty { pendingStart = lineNumber }
                pending += String(trimmedEnd.dropLast()).trimmingTrailingWhitespace() + " "
                continue
            }
            var full = line
            var location = SourceLocation(file: file, line: lineNumber)
            if !pending.isEmpty {
                full = pending + line.trimmingLeadingWhitespace()
                location = SourceLocation(file: file, line: pendingStart)
                pending = ""
            }
            try parseLine(full, at: location, depth: depth, state: &state)
        }
        if !pending.isEmpty {
            try parseLine(pending, at: SourceLocation(file: file, line: pendingStart), depth: depth, state: &state)
        }
    }

    private func parseLine(_ rawLine: String, at location: SourceLocation, depth: Int, state: inout ParseState) throws {
        let line = Self.stripComment(rawLine.trimmingLeadingWhitespace()).trimmingTrailingWhitespace()
        if line.isEmpty { return }

        if line == "}" {
            guard !state.stack.isEmpty else { throw ConfigError("Unexpected '}'", at: location) }
            state.close()
            return
        }
        if line.hasPrefix("!include") {
            try include(line, at: location, depth: depth, state: &state)
            return
        }

        var scanner = LineScanner(line)
        let key = scanner.word()
        guard !key.isEmpty, key.allSatisfy(Self.isKeyCharacter) else {
            throw ConfigError("Invalid setting or section name in line: \(line)", at: location)
        }
        scanner.skipWhitespace()

        if scanner.peek == "=" {
            scanner.advance()
            scanner.skipWhitespace()
            let entry = try value(scanner.rest, key: key, at: location, state: state)
            state.add(entry)
            return
        }
        if scanner.peek == "{" {
            scanner.advance()
            try requireEnd(scanner, at: location)
            state.stack.append(ConfigSection(type: key, name: nil, location: location))
            return
        }
        guard let name = try scanner.sectionName(at: location) else {
            throw ConfigError("Expecting '=' after '\(key)'", at: location)
        }
        scanner.skipWhitespace()
        guard scanner.peek == "{" else { throw ConfigError("Expecting '{' after section '\(key) \(name)'", at: location) }
        scanner.advance()
        try requireEnd(scanner, at: location)
        state.stack.append(ConfigSection(type: key, name: name, location: location))
    }

    private func requireEnd(_ scanner: LineScanner, at location: SourceLocation) throws {
        var rest = scanner
        rest.skipWhitespace()
        if !rest.rest.isEmpty { throw ConfigError("Unexpected text after '{': \(rest.rest)", at: location) }
    }

    // MARK: - Values

    private func value(_ text: String, key: String, at location: SourceLocation, state: ParseState) throws -> ConfigEntry {
        if text.hasPrefix("<") {
            let path = String(text.dropFirst()).trimmingLeadingWhitespace()
            let resolved = Self.resolve(path, relativeTo: location.file)
            let contents = try Self.readFile(resolved, referencedFrom: location)
            return ConfigEntry(key: key, value: contents, sourceText: text, location: location)
        }
        if let quote = text.first, quote == "\"" || quote == "'" {
            guard text.count >= 2, text.last == quote else {
                throw ConfigError("Missing closing \(quote) in value of '\(key)'", at: location)
            }
            return ConfigEntry(key: key, value: Self.unescape(String(text.dropFirst().dropLast())), sourceText: text, location: location)
        }
        if text.hasPrefix("$") {
            let body = text.dropFirst()
            let name = String(body.prefix(while: Self.isKeyCharacter))
            if !name.isEmpty {
                guard let referenced = state.visibleValue(name) ?? defaultValue(name) else {
                    let hint = Suggestion.closest(to: name, among: knownNames()).map { " (did you mean $\($0)?)" } ?? ""
                    throw ConfigError("Unknown setting in reference: $\(name)\(hint)", at: location)
                }
                let remainder = String(body.dropFirst(name.count))
                let expanded = (referenced + remainder).trimmingLeadingWhitespace()
                return ConfigEntry(key: key, value: expanded, sourceText: expanded, location: location)
            }
        }
        return ConfigEntry(key: key, value: text, location: location)
    }

    static func unescape(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }

    /// `#` starts a comment anywhere outside quotes, as in Dovecot.
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var escaped = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if let open = quote {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return String(line[..<index])
            }
            index = line.index(after: index)
        }
        return line
    }

    static func isKeyCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "-" || character == "."
    }

    // MARK: - Includes and files

    private func include(_ line: String, at location: SourceLocation, depth: Int, state: inout ParseState) throws {
        var scanner = LineScanner(line)
        let directive = scanner.word()
        guard directive == "!include" || directive == "!include_try" else {
            throw ConfigError("Unknown directive \(directive) (expected !include or !include_try)", at: location)
        }
        scanner.skipWhitespace()
        var pattern = scanner.rest
        if let quote = pattern.first, quote == "\"" || quote == "'", pattern.count >= 2, pattern.last == quote {
            pattern = String(pattern.dropFirst().dropLast())
        }
        guard !pattern.isEmpty else { throw ConfigError("\(directive) needs a path", at: location) }
        guard depth < Self.maxIncludeDepth else {
            throw ConfigError("Includes nested deeper than \(Self.maxIncludeDepth) levels (a loop?)", at: location)
        }
        let resolved = Self.resolve(pattern, relativeTo: location.file)
        let paths = Self.glob(resolved)
        if paths.isEmpty {
            if directive == "!include_try" { return }
            throw ConfigError("!include \(pattern): no such file", at: location)
        }
        for path in paths {
            let text: String
            do {
                text = try Self.readFile(path, referencedFrom: location)
            } catch  where directive == "!include_try" {
                continue
            }
            try parseLines(text, file: path, depth: depth + 1, state: &state)
        }
    }

    static func resolve(_ path: String, relativeTo file: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }

    static func glob(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else {
            return FileManager.default.fileExists(atPath: pattern) ? [pattern] : []
        }
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }.sorted()
    }

    static func readFile(_ path: String, referencedFrom location: SourceLocation?) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw ConfigError("Can't open file \(path): \(reason)", at: location)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("File \(path) is not valid UTF-8", at: location)
        }
        return text
    }
}

/// A cursor over one configuration line.
struct LineScanner {
    private let characters: [Character]
    private var position = 0

    init(_ line: String) { characters = Array(line) }

    var peek: Character? { position < characters.count ? characters[position] : nil }
    var rest: String { String(characters[min(position, characters.count)...]) }

    mutating func advance() { position += 1 }

    mutating func skipWhitespace() {
        while let character = peek, character == " " || character == "\t" { advance() }
    }

    /// The next run of non-space characters that are not `=` or `{`.
    mutating func word() -> String {
        var word = ""
        while let character = peek, character != " ", character != "\t", character != "=", character != "{" {
            word.append(character)
            advance()
        }
        return word
    }

    /// A section name: a bare word or a quoted string (`mailbox "Sent Messages" {`).
    mutating func sectionName(at location: SourceLocation) throws -> String? {
        guard let first = peek else { return nil }
        if first == "\"" || first == "'" {
            advance()
            var name = ""
            var escaped = false
            while let character = peek {
                advance()
                if escaped {
                    name.append(character)
                    escaped = false
                    continue
                }
                if character == "\\" {
                    escaped = true
                    continue
                }
                if character == first { return name }
                name.append(character)
            }
            throw ConfigError("Missing closing \(first) in section name", at: location)
        }
        let name = word()
        return name.isEmpty ? nil : name
    }
}

extension String {
    func trimmingLeadingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }))
    }

    func trimmingTrailingWhitespace() -> String {
        var copy = Substring(self)
        while let last = copy.last, last == " " || last == "\t" || last == "\r" { copy.removeLast() }
        return String(copy)
    }
}
