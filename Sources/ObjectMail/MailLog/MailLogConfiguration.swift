import Config

/// Dovecot's mail_log plugin (`mail_plugins = $mail_plugins notify mail_log`): which events get a log line and
/// which fields each line carries (`plugin { mail_log_events = …  mail_log_fields = … }`).
public struct MailLogConfiguration: Sendable, Equatable {
    /// Dovecot 2.3's event names, in its order.
    public enum Event: String, CaseIterable, Sendable {
        case delete, undelete, expunge, save, copy
        case mailboxCreate = "mailbox_create"
        case mailboxDelete = "mailbox_delete"
        case mailboxRename = "mailbox_rename"
        case flagChange = "flag_change"
    }

    /// Dovecot 2.3's field names; a line writes them in Dovecot's fixed order (box, uid, msgid, size, vsize, from,
    /// subject, flags), whatever the order in the setting.
    public enum Field: String, CaseIterable, Sendable {
        case uid, box, msgid, size, vsize, flags, from, subject
    }

    public var events: Set<Event>
    public var fields: Set<Field>

    public init(events: Set<Event>, fields: Set<Field>) {
        self.events = events
        self.fields = fields
    }

    /// Dovecot's defaults when the settings are not given.
    static let defaultEvents = "delete undelete expunge save copy mailbox_delete mailbox_rename"
    static let defaultFields = "uid msgid size"

    static let settingDefinitions: [SettingDefinition] = [
        SettingDefinition(
            "mail_log_events", .string, default: defaultEvents,
            "With the mail_log plugin: events logged, one line each (delete undelete expunge save copy mailbox_create "
                + "mailbox_delete mailbox_rename flag_change; append is save)."),
        SettingDefinition(
            "mail_log_fields", .string, default: defaultFields,
            "With the mail_log plugin: fields of each message line (uid box msgid size vsize flags from subject).")
    ]

    /// Unknown names stop the server, as they stop Dovecot's mail processes (`Unknown event in mail_log_events: 'x'`).
    init(plugin: Settings) throws {
        var events: Set<Event> = []
        for word in Self.words(plugin.string("mail_log_events")) {
            // Dovecot 1.x's name for save, still accepted by 2.3.
            guard let event = Event(rawValue: word == "append" ? "save" : word) else {
                throw ConfigError("Unknown event in mail_log_events: '\(word)'", at: plugin.location(of: "mail_log_events"))
            }
            events.insert(event)
        }
        var fields: Set<Field> = []
        for word in Self.words(plugin.string("mail_log_fields")) {
            guard let field = Field(rawValue: word) else {
                throw ConfigError("Unknown field in mail_log_fields: '\(word)'", at: plugin.location(of: "mail_log_fields"))
            }
            fields.insert(field)
        }
        self.init(events: events, fields: fields)
    }

    /// Dovecot splits these lists on spaces and commas.
    private static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
    }

    public func wants(_ event: Event) -> Bool { events.contains(event) }
}
