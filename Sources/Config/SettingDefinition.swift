/// One setting a module honours: Dovecot's name, its type, default and a one-line description.
/// A setting is registered by the code that reads it, never accepted and ignored.
public struct SettingDefinition: Sendable, Equatable {
    public var name: String
    public var type: SettingType
    /// The default as it would be written in the file ("" for none).
    public var defaultValue: String
    public var description: String
    /// How `config -n/-a` shows the value unless asked to show secrets.
    public var secrecy: Secrecy
    /// What the setting does in this server; `config -a` marks those accepted without effect.
    public var effect: Effect

    public enum Effect: Sendable, Equatable {
        case honoured
        /// Accepted so Dovecot configurations run unchanged, but meaningless here (one process serves
        /// everything, so process counts and executables have nothing to act on): the description says why.
        case none
    }

    public enum Secrecy: Sendable, Equatable {
        case none
        /// The whole value is a secret (passwords, private keys).
        case whole
        /// The value may hold `scheme://USER:SECRET@host` URLs: only the secret is hidden.
        case urlCredentials
    }

    public init(
        _ name: String, _ type: SettingType, default defaultValue: String = "", _ description: String,
        secrecy: Secrecy = .none, effect: Effect = .honoured
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
        self.secrecy = secrecy
        self.effect = effect
    }

    /// The value as `config` prints it.
    public func displayValue(_ value: String, showSecrets: Bool) -> String {
        if showSecrets || value.isEmpty { return value }
        switch secrecy {
        case .none: return value
        case .whole: return "# hidden, use -P to show it"
        case .urlCredentials: return CredentialRedaction.redactURLs(in: value)
        }
    }
}

/// A kind of section (`plugin { }`, `namespace inbox { }`) and what may appear inside it.
public struct SectionDefinition: Sendable, Equatable {
    public enum Naming: Sendable, Equatable { case none, optional, required }

    public var type: String
    public var naming: Naming
    public var description: String
    public var settings: [SettingDefinition]
    public var sections: [SectionDefinition]

    public init(
        _ type: String, naming: Naming, _ description: String,
        settings: [SettingDefinition] = [], sections: [SectionDefinition] = []
    ) {
        self.type = type
        self.naming = naming
        self.description = description
        self.settings = settings
        self.sections = sections
    }

    public func setting(_ name: String) -> SettingDefinition? { settings.first { $0.name == name } }
    public func section(_ type: String) -> SectionDefinition? { sections.first { $0.type == type } }

    /// Adds settings and subsections; a subsection already known gets the new definition's contents merged in.
    public mutating func merge(_ other: SectionDefinition) {
        for setting in other.settings where self.setting(setting.name) == nil { settings.append(setting) }
        for section in other.sections {
            if let index = sections.firstIndex(where: { $0.type == section.type }) {
                sections[index].merge(section)
            } else {
                sections.append(section)
            }
        }
    }
}

/// Hides the secret part of `scheme://user:secret@host` URLs inside a value.
public enum CredentialRedaction {
    public static func redactURLs(in value: String) -> String {
        var result = ""
        var rest = Substring(value)
        while let scheme = rest.range(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == " " }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result += authority[..<colon] + ":#hidden" + authority[at...]
            } else {
                result += authority
            }
            rest = rest[authorityEnd...]
        }
        return result + rest
    }
}
