/// Writes settings back in Dovecot's syntax, as `doveconf` does: `-n` the values that differ from
/// the defaults, `-a` every registered setting, or only named ones.
public struct SettingsPrinter: Sendable {
    public enum Mode: Sendable { case nonDefault, all }

    public var showSecrets: Bool

    public init(showSecrets: Bool = false) {
        self.showSecrets = showSecrets
    }

    public func render(_ settings: Settings, mode: Mode) -> String {
        var lines: [String] = []
        render(
            section: settings.section, definition: settings.definition, registry: settings.registry, mode: mode, indent: "",
            into: &lines)
        return lines.map { $0 + "\n" }.joined()
    }

    /// `name = value` lines for the named top-level or plugin settings; unknown names are errors.
    public func render(_ settings: Settings, names: [String]) throws -> String {
        var output = ""
        for name in names {
            if let definition = settings.definition.setting(name) {
                output += line(definition, value: settings.string(name), indent: "") + "\n"
            } else if let plugin = settings.definition.section("plugin"), let definition = plugin.setting(name) {
                output += line(definition, value: settings.singleSection("plugin").string(name), indent: "") + "\n"
            } else {
                let hint = Suggestion.closest(to: name, among: settings.registry.referenceableNames).map { " (did you mean \($0)?)" } ?? ""
                throw ConfigError("Unknown setting: \(name)\(hint)")
            }
        }
        return output
    }

    private func render(
        section: ConfigSection, definition: SectionDefinition, registry: SettingsRegistry, mode: Mode, indent: String,
        into lines: inout [String]
    ) {
        var values: [String: ConfigEntry] = [:]
        for entry in section.entries { values[entry.key] = entry }
        // A protocol filter shows what it sets, not every top-level default again.
        let mode: Mode = definition.type == "protocol" ? .nonDefault : mode
        for setting in definition.settings.sorted(by: { $0.name < $1.name }) {
            if mode == .all, setting.effect == .none {
                lines.append("\(indent)# accepted without effect: \(setting.description)")
            }
            if let entry = values[setting.name] {
                if mode == .all || definition.type == "protocol" || entry.value != setting.defaultValue {
                    let shown = entry.sourceText.hasPrefix("<") ? entry.sourceText : entry.value
                    lines.append(line(setting, value: shown, indent: indent))
                }
            } else if mode == .all {
                lines.append(line(setting, value: setting.defaultValue, indent: indent))
            }
        }
        for child in section.sections {
            guard let childDefinition = registry.definition(ofChild: child.type, in: definition) else { continue }
            let header = child.name.map { "\(child.type) \(quoteIfNeeded($0))" } ?? child.type
            lines.append("\(indent)\(header) {")
            render(section: child, definition: childDefinition, registry: registry, mode: mode, indent: indent + "  ", into: &lines)
            lines.append("\(indent)}")
        }
    }

    private func line(_ setting: SettingDefinition, value: String, indent: String) -> String {
        let shown = setting.displayValue(value, showSecrets: showSecrets)
        return shown.isEmpty ? "\(indent)\(setting.name) =" : "\(indent)\(setting.name) = \(shown)"
    }

    private func quoteIfNeeded(_ name: String) -> String {
        name.contains(where: { $0 == " " || $0 == "{" || $0 == "\"" || $0 == "#" }) ? "\"\(name)\"" : name
    }
}
