/// Every setting and section the running code honours. Each module contributes its own
/// definitions (see `LoggingSettings`); the executable assembles the registry at start-up.
public struct SettingsRegistry: Sendable, Equatable {
    /// The top level behaves like a section without a type.
    public private(set) var root = SectionDefinition("", naming: .none, "top level")

    public init() {}

    public mutating func register(_ settings: [SettingDefinition]) {
        root.merge(SectionDefinition("", naming: .none, "", settings: settings))
    }

    /// Registers a section, or adds settings and subsections to one already registered.
    public mutating func register(section: SectionDefinition) {
        root.merge(SectionDefinition("", naming: .none, "", sections: [section]))
    }

    /// Settings of the `plugin { }` section, where Dovecot keeps obox, quota and mail_log settings.
    public mutating func registerPlugin(_ settings: [SettingDefinition]) {
        register(section: SectionDefinition("plugin", naming: .none, "Plugin settings (obox, metacache, quota …).", settings: settings))
    }

    public func setting(_ name: String) -> SettingDefinition? { root.setting(name) }

    /// The default of a top-level or plugin setting, for `$name` references.
    public func defaultValue(of name: String) -> String? {
        setting(name)?.defaultValue ?? root.section("plugin")?.setting(name)?.defaultValue
    }

    /// Names a reference may use.
    public var referenceableNames: [String] {
        root.settings.map(\.name) + (root.section("plugin")?.settings.map(\.name) ?? [])
    }

    /// A parser whose `$name` references know this registry's defaults.
    public var parser: ConfigParser {
        let registry = self
        return ConfigParser(defaultValue: { registry.defaultValue(of: $0) }, knownNames: { registry.referenceableNames })
    }

    /// Parses and validates a file.
    public func load(file path: String) throws -> Settings {
        try validate(parser.parse(file: path))
    }

    /// Parses and validates text (tests, embedded defaults).
    public func load(text: String, file: String = "<text>") throws -> Settings {
        try validate(parser.parse(text: text, file: file))
    }

    /// Checks every entry and section against the definitions: unknown names and bad values are
    /// errors with file:line and, where one is close, the name that was probably meant. Obsolete names
    /// doveconf 2.3 still translates are translated first; `Settings.warnings` says which.
    public func validate(_ document: ConfigSection) throws -> Settings {
        let (translated, obsolete) = try ObsoleteSettings.translate(document)
        try check(translated, against: root, path: [])
        let warnings = obsolete + ConfigWarning.laterGlobalSettings(in: translated)
        return Settings(registry: self, definition: root, section: translated, warnings: warnings)
    }

    /// `protocol NAME { }`: the names a protocol filter may have, and which top-level settings it may
    /// override (each protocol's configuration is read through `Settings.forProtocol`).
    public mutating func registerProtocolFilter(names: [String], overridable: [String]) {
        protocolNames += names.filter { !protocolNames.contains($0) }
        protocolOverridable += overridable.filter { !protocolOverridable.contains($0) }
        register(
            section: SectionDefinition(
                "protocol", naming: .required,
                "Settings for one protocol only (protocol imap { mail_plugins = $mail_plugins imap_quota })."))
    }

    public private(set) var protocolNames: [String] = []
    /// Dovecot settings not honoured yet, with the reason the refusal gives instead of "unknown setting".
    public private(set) var pendingReasons: [String: String] = [:]

    public mutating func registerPending(_ reasons: [String: String]) {
        pendingReasons.merge(reasons) { _, new in new }
    }

    /// Top-level settings a protocol section may hold, besides those named after the protocol (imap_*, pop3_*, lmtp_*, lda_*).
    public private(set) var protocolOverridable: [String] = []

    /// The definition a child section is checked and printed against: a protocol section holds top-level settings.
    public func definition(ofChild type: String, in parent: SectionDefinition) -> SectionDefinition? {
        guard let found = parent.section(type) else { return nil }
        guard type == "protocol", parent.type.isEmpty else { return found }
        return SectionDefinition("protocol", naming: .required, found.description, settings: root.settings)
    }

    func mayOverride(_ name: String, inProtocol protocolName: String) -> Bool {
        if protocolOverridable.contains(name) { return true }
        let prefixes = protocolName == "lmtp" ? ["lmtp_", "lda_"] : ["\(protocolName)_"]
        return prefixes.contains { name.hasPrefix($0) }
    }

    private func check(_ section: ConfigSection, against definition: SectionDefinition, path: [String]) throws {
        let context = path.isEmpty ? "" : " in section \(path.joined(separator: "/"))"
        for entry in section.entries {
            guard let setting = definition.setting(entry.key) else {
                if let reason = pendingReasons[entry.key] {
                    throw ConfigError("Not supported yet\(context): \(entry.key): \(reason)", at: entry.location)
                }
                let candidates = definition.settings.map(\.name) + definition.sections.map(\.type)
                let hint = Suggestion.closest(to: entry.key, among: candidates).map { " (did you mean \($0)?)" } ?? ""
                throw ConfigError("Unknown setting\(context): \(entry.key)\(hint)", at: entry.location)
            }
            if let problem = setting.type.validate(entry.value) {
                throw ConfigError("Invalid value for \(entry.key): \(problem)", at: entry.location)
            }
            if definition.type == "protocol", let name = section.name, !mayOverride(entry.key, inProtocol: name) {
                throw ConfigError(
                    "\(entry.key) cannot differ per protocol (one process shares it between protocols): "
                        + "set it outside protocol \(name) { }", at: entry.location)
            }
        }
        for child in section.sections {
            guard let childDefinition = self.definition(ofChild: child.type, in: definition) else {
                let candidates = definition.sections.map(\.type) + definition.settings.map(\.name)
                let hint = Suggestion.closest(to: child.type, among: candidates).map { " (did you mean \($0)?)" } ?? ""
                throw ConfigError("Unknown section\(context): \(child.type)\(hint)", at: child.location)
            }
            switch (childDefinition.naming, child.name) {
            case (.none, .some(let name)):
                throw ConfigError("Section \(child.type) takes no name (found '\(name)')", at: child.location)
            case (.required, nil):
                throw ConfigError("Section \(child.type) needs a name: \(child.type) NAME {", at: child.location)
            default: break
            }
            if child.type == "protocol", definition.type.isEmpty {
                guard let name = child.name, protocolNames.contains(name) else {
                    let hint = Suggestion.closest(to: child.name ?? "", among: protocolNames).map { " (did you mean \($0)?)" } ?? ""
                    throw ConfigError(
                        "Unknown protocol: \(child.name ?? "")\(hint) (known: \(protocolNames.joined(separator: ", ")))",
                        at: child.location)
                }
                if let nested = child.sections.first {
                    throw ConfigError(
                        "protocol \(name): sections inside a protocol filter are not supported (\(nested.type))",
                        at: nested.location)
                }
            }
            try check(child, against: childDefinition, path: path + [child.name.map { "\(child.type) \($0)" } ?? child.type])
        }
    }
}
