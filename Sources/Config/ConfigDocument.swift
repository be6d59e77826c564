/// The parsed configuration, before validation: entries and sections in file order,
/// with includes, `<file` values, continuations and `$setting` references already resolved.
public struct ConfigSection: Sendable, Equatable {
    /// The section's kind (`plugin`, `namespace`, `service` …); empty for the top level.
    public var type: String
    /// The optional name after the kind (`namespace inbox {` → "inbox").
    public var name: String?
    public var location: SourceLocation
    public var entries: [ConfigEntry]
    public var sections: [ConfigSection]

    public init(type: String, name: String?, location: SourceLocation, entries: [ConfigEntry] = [], sections: [ConfigSection] = []) {
        self.type = type
        self.name = name
        self.location = location
        self.entries = entries
        self.sections = sections
    }

    /// The last value given to `key` in this section (later lines override earlier ones, as in Dovecot).
    public func value(_ key: String) -> String? {
        entries.last(where: { $0.key == key })?.value
    }
}

public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var value: String
    /// The value as written, for `config -n` output (`<file` values keep their path).
    public var sourceText: String
    public var location: SourceLocation

    public init(key: String, value: String, sourceText: String? = nil, location: SourceLocation) {
        self.key = key
        self.value = value
        self.sourceText = sourceText ?? value
        self.location = location
    }
}
