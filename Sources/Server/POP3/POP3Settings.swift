import Config
import NIOCore

/// The POP3 server's settings, with Dovecot's names, defaults and meanings.
public struct POP3Configuration: Sendable {
    public enum ClientWorkaround: String, Sendable, CaseIterable {
        /// Outlook and Outlook Express hang on NUL bytes: send 0x80 instead (same size).
        case outlookNoNuls = "outlook-no-nuls"
        /// Outlook Express and Netscape break on a message without the blank line ending the header: send one.
        case oeNsEoh = "oe-ns-eoh"
    }

    /// Dovecot's logout line: `top=%t/%p, retr=%r/%b, del=%d/%m, size=%s`.
    static let logoutLetters: [Character: String] = [
        "i": "input", "o": "output", "t": "top_count", "p": "top_bytes", "r": "retr_count", "b": "retr_bytes",
        "d": "deleted_count", "m": "message_count", "s": "message_bytes", "u": "uidl_change"
    ]
    public static let defaultLogoutFormat = "top=%t/%p, retr=%r/%b, del=%d/%m, size=%s"

    var uidlFormat: POP3UIDLFormat
    /// RETR leaves \Seen alone (Dovecot's `pop3_no_flag_updates = yes`).
    public var noFlagUpdates: Bool
    /// One POP3 session per user at a time; a second one gets `-ERR [IN-USE]`.
    public var lockSession: Bool
    public var workarounds: Set<ClientWorkaround>
    var logoutFormat: POP3Template
    /// Keyword DELE sets instead of expunging; messages with it are hidden from POP3. Empty: expunge.
    public var deletedFlag: String
    public var enableLast: Bool
    /// Use a message's X-UIDL: header as its UIDL when it has one (costs a read of each header).
    public var reuseXUIDL: Bool
    /// `mail_max_userip_connections`: POP3 sessions per user and IP (IMAP counts its own); 0: no limit.
    public var maxUserIPConnections: Int
    /// Dovecot disconnects an idle POP3 client after 10 minutes (RFC 1939 asks for at least 10).
    public var autologout: TimeAmount
    /// Bodies fetched ahead while a client RETRs messages in order (`mail_prefetch_count`).
    public var prefetchCount: Int

    public init(
        uidlFormat: String = "%08Xu%08Xv", noFlagUpdates: Bool = false, lockSession: Bool = false,
        workarounds: Set<ClientWorkaround> = [], logoutFormat: String = Self.defaultLogoutFormat,
        deletedFlag: String = "", enableLast: Bool = false, reuseXUIDL: Bool = false,
        maxUserIPConnections: Int = 10, autologout: TimeAmount = .minutes(10), prefetchCount: Int = 10
    ) throws {
        self.uidlFormat = try POP3UIDLFormat(uidlFormat)
        self.noFlagUpdates = noFlagUpdates
        self.lockSession = lockSession
        self.workarounds = workarounds
        self.logoutFormat = try POP3Template(logoutFormat, setting: "pop3_logout_format", letters: Self.logoutLetters)
        self.deletedFlag = deletedFlag
        self.enableLast = enableLast
        self.reuseXUIDL = reuseXUIDL
        self.maxUserIPConnections = maxUserIPConnections
        self.autologout = autologout
        self.prefetchCount = max(1, prefetchCount)
    }

    /// Reads the settings `POP3Settings.register` defined; bad values are `ConfigError`s with file:line.
    public init(settings: Settings) throws {
        var workarounds: Set<ClientWorkaround> = []
        for name in settings.list("pop3_client_workarounds") {
            guard let workaround = ClientWorkaround(rawValue: name) else {
                throw ConfigError(
                    "pop3_client_workarounds: unknown workaround '\(name)' (known: "
                        + ClientWorkaround.allCases.map(\.rawValue).joined(separator: ", ") + ")",
                    at: settings.location(of: "pop3_client_workarounds"))
            }
            workarounds.insert(workaround)
        }
        do {
            try self.init(
                uidlFormat: settings.string("pop3_uidl_format"), noFlagUpdates: settings.bool("pop3_no_flag_updates"),
                lockSession: settings.bool("pop3_lock_session"), workarounds: workarounds,
                logoutFormat: settings.string("pop3_logout_format"), deletedFlag: settings.string("pop3_deleted_flag"),
                enableLast: settings.bool("pop3_enable_last"), reuseXUIDL: settings.bool("pop3_reuse_xuidl"),
                maxUserIPConnections: settings.number("mail_max_userip_connections"),
                prefetchCount: settings.number("mail_prefetch_count"))
        } catch let error as ConfigError {
            let setting = error.message.hasPrefix("pop3_logout_format") ? "pop3_logout_format" : "pop3_uidl_format"
            throw ConfigError(error.message, at: settings.location(of: setting))
        }
        if enableLast {
            throw ConfigError(
                "pop3_enable_last: LAST (RFC 1460, removed from RFC 1939) is not supported",
                at: settings.location(of: "pop3_enable_last"))
        }
    }
}

public enum POP3Settings {
    public static func register(in registry: inout SettingsRegistry) {
        registry.register([
            SettingDefinition(
                "pop3_uidl_format", .string, default: POP3UIDLFormat.defaultFormat,
                "UIDL of a message: %u UID, %v UIDVALIDITY, %g GUID (stable across index rebuilds), "
                    + "%m MD5 of the header (reads every header), %f object name."),
            SettingDefinition("pop3_no_flag_updates", .bool, default: "no", "RETR does not set \\Seen."),
            SettingDefinition(
                "pop3_lock_session", .bool, default: "no",
                "Allow one POP3 session per user at a time; others get -ERR [IN-USE]."),
            SettingDefinition("pop3_client_workarounds", .list, "Client bug workarounds: outlook-no-nuls, oe-ns-eoh."),
            SettingDefinition(
                "pop3_logout_format", .string, default: POP3Configuration.defaultLogoutFormat,
                "Logout log line: %i/%o bytes in/out, %t/%p TOPs/bytes, %r/%b RETRs/bytes, "
                    + "%d deleted, %m messages, %s mailbox size."),
            SettingDefinition(
                "pop3_deleted_flag", .string,
                "Keyword DELE sets instead of expunging (the mail stays for IMAP, hidden from POP3); empty: expunge."),
            SettingDefinition("pop3_enable_last", .bool, default: "no", "LAST command (not supported: must stay no)."),
            SettingDefinition(
                "pop3_reuse_xuidl", .bool, default: "no",
                "Use a message's X-UIDL: header as its UIDL (reads every header once per session).")
            // mail_max_userip_connections is registered with the IMAP settings; POP3 counts its own sessions.
        ])
    }
}
