/// Validated settings of one scope (the top level or a section), with typed accessors that fall
/// back to the registered default. Asking for an unregistered name is a programming error.
public struct Settings: Sendable, Equatable {
    public let registry: SettingsRegistry
    public let definition: SectionDefinition
    public let section: ConfigSection
    /// Obsolete names that were translated or dropped, for the caller to print (doveconf's warnings).
    public let warnings: [ConfigWarning]

    public init(registry: SettingsRegistry, definition: SectionDefinition, section: ConfigSection, warnings: [ConfigWarning] = []) {
        self.registry = registry
        self.definition = definition
        self.section = section
        self.warnings = warnings
    }

    /// The top-level settings as one protocol sees them: `protocol NAME { }` values override the others,
    /// wherever the section is in the file (as Dovecot's filters do).
    public func forProtocol(_ name: String) -> Settings {
        var merged = section
        for filter in section.sections where filter.type == "protocol" && filter.name == name {
            merged.entries += filter.entries
        }
        return Settings(registry: registry, definition: definition, section: merged, warnings: warnings)
    }

    /// The section's name (`namespace inbox` → "inbox").
    public var name: String? { section.name }

    public func string(_ name: String) -> String {
        section.value(name) ?? requireDefinition(name).defaultValue
    }

    public func bool(_ name: String) -> Bool { SettingType.parseBool(string(name)) ?? false }

    public func number(_ name: String) -> Int { Int(string(name)) ?? 0 }

    /// Bytes.
    public func size(_ name: String) -> Int64 { SettingType.parseSize(string(name)) ?? 0 }

    /// Milliseconds.
    public func milliseconds(_ name: String) -> Int64 { SettingType.parseMilliseconds(string(name)) ?? 0 }

    public func list(_ name: String) -> [String] { SettingType.parseList(string(name)) }

    /// True when the file gives the setting a value.
    public func isSet(_ name: String) -> Bool { section.value(name) != nil }

    /// Where the setting was given, for error messages that refer back to the file.
    public func location(of name: String) -> SourceLocation? {
        section.entries.last(where: { $0.key == name })?.location
    }

    /// The sections of a type inside this scope, in file order (`plugin`, every `namespace` …).
    public func sections(_ type: String) -> [Settings] {
        guard let childDefinition = registry.definition(ofChild: type, in: definition) else {
            preconditionFailure("section \(type) is not registered")
        }
        return section.sections.filter { $0.type == type }.map {
            Settings(registry: registry, definition: childDefinition, section: $0)
        }
    }

    /// The merged contents of every section of a type that appears once per scope (`plugin`),
    /// or an empty one when the file has none: later entries override earlier ones.
    public func singleSection(_ type: String) -> Settings {
        guard let childDefinition = definition.section(type) else {
            preconditionFailure("section \(type) is not registered")
        }
        var merged = ConfigSection(type: type, name: nil, location: section.location)
        for child in section.sections where child.type == type {
            merged.entries += child.entries
            merged.sections += child.sections
        }
        return Settings(registry: registry, definition: childDefinition, section: merged)
    }

    private func requireDefinition(_ name: String) -> SettingDefinition {
        guard let setting = definition.setting(name) else {
            preconditionFailure("setting \(name) is not registered in section '\(definition.type)'")
        }
        return setting
    }
}
