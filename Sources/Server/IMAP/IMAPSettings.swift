import Config
import IMAPProtocol
import ObjectMail

/// Dovecot's `imap_client_workarounds` words this build knows.
public enum IMAPClientWorkaround: String, Sendable, CaseIterable {
    /// New-mail notifications (EXISTS/RECENT) only in answer to NOOP, CHECK and during IDLE.
    case delayNewmail = "delay-newmail"
    /// Thunderbird may add the hierarchy separator to a mailbox name (`Archive/`): drop it.
    case tbExtraMailboxSep = "tb-extra-mailbox-sep"
    /// LSUB marks subscribed names that do not exist as \Noselect; we always do, so this changes nothing.
    case tbLsubFlags = "tb-lsub-flags"
}

/// The IMAP settings, with Dovecot's names and defaults, read once at start-up.
public struct IMAPConfiguration: Sendable {
    /// Dovecot's `imap_logout_format` default.
    public static let defaultLogoutFormat =
        "in=%i out=%o deleted=%{deleted} expunged=%{expunged} trashed=%{trashed} "
        + "hdr_count=%{fetch_hdr_count} hdr_bytes=%{fetch_hdr_bytes} body_count=%{fetch_body_count} body_bytes=%{fetch_body_bytes}"

    /// `imap_max_line_length`: longer command lines get a tagged BAD and are skipped.
    public var maxLineLength = 65_536
    /// `mail_max_userip_connections` (0: no limit).
    public var maxUserIPConnections = 10
    /// `imap_idle_notify_interval`: IDLE's "* OK Still here" keep-alive.
    public var idleNotifyInterval = Duration.seconds(120)
    /// `imap_logout_format`, expanded with the session's counters at its end.
    public var logoutFormat = defaultLogoutFormat
    public var clientWorkarounds: Set<IMAPClientWorkaround> = []
    /// `mail_max_keyword_length`: longer keywords are refused in STORE and APPEND.
    public var maxKeywordLength = 50
    /// `imap_capability`: empty keeps ours; `+WORDS` appends; anything else replaces the post-login list.
    public var capabilityOverride = ""
    /// Dovecot's hard-coded CLIENT_IDLE_TIMEOUT_MSECS (30 min, RFC 3501's minimum); ours is `imap_autologout_timeout`.
    public var autologoutTimeout = Duration.seconds(30 * 60)
    /// Dovecot's hard-coded CLIENT_LOGIN_TIMEOUT_MSECS (3 min); ours is `imap_login_timeout`.
    public var loginTimeout = Duration.seconds(180)
    /// The largest APPEND literal: `quota_max_mail_size` when set, else the framer's built-in limit.
    public var maxMessageSize: UInt64 = IMAPFramingLimits().maxLiteralSize
    /// `plugin { quota }` is set and mail_plugins loads quota and imap_quota for IMAP: QUOTA and its resources
    /// are advertised (RFC 9208).
    public var quotaConfigured = false
    /// APPEND literals above the threshold are received into `mail_temp_dir`, not memory.
    public var spool = SpoolConfiguration()

    public init() {}

    /// Reads the settings; unknown workaround words and tiny line limits are configuration errors.
    public init(settings: Settings) throws {
        try Self.validate(settings)
        maxLineLength = Int(settings.size("imap_max_line_length"))
        maxUserIPConnections = settings.number("mail_max_userip_connections")
        idleNotifyInterval = .milliseconds(settings.milliseconds("imap_idle_notify_interval"))
        logoutFormat = settings.string("imap_logout_format")
        clientWorkarounds = Set(settings.list("imap_client_workarounds").compactMap(IMAPClientWorkaround.init(rawValue:)))
        maxKeywordLength = settings.number("mail_max_keyword_length")
        capabilityOverride = settings.string("imap_capability")
        autologoutTimeout = .milliseconds(settings.milliseconds("imap_autologout_timeout"))
        loginTimeout = .milliseconds(settings.milliseconds("imap_login_timeout"))
        let plugin = settings.singleSection("plugin")
        let quotaMax = plugin.size("quota_max_mail_size")
        if quotaMax > 0 { maxMessageSize = UInt64(quotaMax) }
        // isSet first: a configuration without the storage module's settings (unit tests) has no `quota` to read.
        spool = SpoolConfiguration(settings: settings)
        quotaConfigured =
            plugin.isSet("quota") && !plugin.string("quota").isEmpty
            && MailPlugins.named(in: settings).isSuperset(of: ["quota", "imap_quota"])
    }

    /// What the framer enforces for this configuration.
    public var framingLimits: IMAPFramingLimits {
        var limits = IMAPFramingLimits(maxLineLength: maxLineLength, maxLiteralSize: maxMessageSize)
        limits.maxCommandSize = max(limits.maxCommandSize, maxMessageSize + UInt64(maxLineLength))
        limits.spoolThreshold = UInt64(spool.threshold)
        return limits
    }

    /// The post-login capability list after `imap_capability`.
    func capabilities(default builtIn: [String]) -> [String] {
        let words = capabilityOverride.split(separator: " ").map(String.init)
        guard let first = words.first else { return builtIn }
        if first.hasPrefix("+") {
            let added = [String(first.dropFirst())] + words.dropFirst()
            return builtIn + added.filter { !$0.isEmpty && !builtIn.contains($0) }
        }
        return words
    }

    public static func register(in registry: inout SettingsRegistry) {
        let workarounds = IMAPClientWorkaround.allCases.map(\.rawValue).joined(separator: ", ")
        registry.register([
            SettingDefinition(
                "imap_max_line_length", .size, default: "64k",
                "Longest IMAP command line (literals not counted); longer lines get BAD and are skipped."),
            SettingDefinition(
                "mail_max_userip_connections", .number, default: "10",
                "Logged-in IMAP sessions per user and client IP; 0 means no limit."),
            SettingDefinition(
                "imap_idle_notify_interval", .time, default: "2 mins",
                "How often an IDLE session gets \"* OK Still here\"."),
            SettingDefinition(
                "imap_logout_format", .string, default: defaultLogoutFormat,
                "The end of the log line of a finished IMAP session (%i, %o, %{deleted}, %{expunged}, %{trashed}, "
                    + "%{fetch_hdr_count}, %{fetch_hdr_bytes}, %{fetch_body_count}, %{fetch_body_bytes}, %{session})."),
            SettingDefinition("imap_client_workarounds", .list, "Client bug workarounds: \(workarounds)."),
            SettingDefinition("mail_max_keyword_length", .number, default: "50", "Longest keyword (user flag) a client may set."),
            SettingDefinition(
                "imap_capability", .string,
                "Replaces the post-login CAPABILITY list; a value starting with + adds words to it."),
            SettingDefinition(
                "imap_autologout_timeout", .time, default: "30 mins",
                "A logged-in session silent this long (not in IDLE) gets \"* BYE Disconnected for inactivity.\" "
                    + "(Dovecot: fixed 30 minutes, RFC 3501's minimum)."),
            SettingDefinition(
                "imap_login_timeout", .time, default: "3 mins",
                "A connection not logged in after this long gets \"* BYE Disconnected for inactivity.\" "
                    + "(Dovecot: fixed 3 minutes).")
        ])
    }

    /// Checks values the registry's types cannot: unknown workaround words are errors, as in Dovecot.
    static func validate(_ settings: Settings) throws {
        for word in settings.list("imap_client_workarounds") where IMAPClientWorkaround(rawValue: word) == nil {
            throw ConfigError(
                "imap_client_workarounds: unknown workaround \(word) (known: "
                    + IMAPClientWorkaround.allCases.map(\.rawValue).joined(separator: ", ") + ")",
                at: settings.location(of: "imap_client_workarounds"))
        }
        if settings.size("imap_max_line_length") < 1024 {
            throw ConfigError("imap_max_line_length must be at least 1k", at: settings.location(of: "imap_max_line_length"))
        }
    }
}

extension IMAPSession {
    /// CAPABILITY after login, with the operator's `imap_capability`.
    var postLoginCapabilities: [String] {
        configuration.capabilities(default: Self.capabilities + (configuration.quotaConfigured ? Self.quotaCapabilities : []))
    }
}
