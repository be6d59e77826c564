import Config
import NIOCore
import Sieve

/// The ManageSieve server's settings (Pigeonhole's `managesieve_*` and script quotas), read from the `protocol sieve`
/// view of the configuration, with Pigeonhole's names, defaults and meanings.
public struct ManageSieveConfiguration: Sendable {
    /// `managesieve_implementation_string`: the IMPLEMENTATION capability.
    public var implementation: String
    /// `managesieve_sieve_capability`; empty: the extensions scripts may require.
    public var sieveCapability: String
    /// `managesieve_max_line_length`: a command line without its literals.
    public var maxLineLength: Int
    /// `managesieve_max_compile_errors`.
    public var maxCompileErrors: Int
    var logoutFormat: POP3Template
    /// `mail_max_userip_connections` of `protocol sieve`.
    public var maxUserIPConnections: Int
    /// The extensions a personal script may require (`sieve_extensions`).
    public var extensions: Set<String>
    /// sieve_max_script_size and the other compile limits.
    public var limits: SieveLimits
    /// `sieve_quota_max_scripts` and `sieve_quota_max_storage`; 0: no limit.
    public var maxScripts: Int
    public var maxStorage: Int
    /// Dovecot's managesieve disconnects a client idle this long.
    public var autologout: TimeAmount

    static let logoutLetters: [Character: String] = ["i": "input", "o": "output"]
    public static let defaultLogoutFormat = "bytes=%i/%o"

    public init(
        implementation: String = "Dovecot Pigeonhole", sieveCapability: String = "", maxLineLength: Int = 65536,
        maxCompileErrors: Int = 5, logoutFormat: String = Self.defaultLogoutFormat, maxUserIPConnections: Int = 10,
        extensions: Set<String> = SieveDeliveryConfiguration.defaultExtensions, limits: SieveLimits = .default,
        maxScripts: Int = 0, maxStorage: Int = 0, autologout: TimeAmount = .minutes(30)
    ) throws {
        self.implementation = implementation
        self.sieveCapability = sieveCapability
        self.maxLineLength = max(maxLineLength, 1024)
        self.maxCompileErrors = maxCompileErrors
        self.logoutFormat = try POP3Template(logoutFormat, setting: "managesieve_logout_format", letters: Self.logoutLetters)
        self.maxUserIPConnections = maxUserIPConnections
        self.extensions = extensions
        self.limits = limits
        self.maxScripts = maxScripts
        self.maxStorage = maxStorage
        self.autologout = autologout
    }

    /// Reads the `protocol sieve` view of the settings.
    public init(settings: Settings) throws {
        let notify = settings.string("managesieve_notify_capability")
        guard notify.isEmpty else {
            throw ConfigError(
                "managesieve_notify_capability: the Sieve enotify extension is not implemented, so no NOTIFY capability can be announced",
                at: settings.location(of: "managesieve_notify_capability"))
        }
        let plugin = settings.singleSection("plugin")
        let extensions = try SieveLocation.extensions(
            plugin.string("sieve_extensions"), base: SieveDeliveryConfiguration.defaultExtensions, setting: "sieve_extensions",
            at: plugin.location(of: "sieve_extensions"))
        var limits = SieveLimits()
        let size = plugin.size("sieve_max_script_size")
        limits.maxScriptSize = size > 0 ? Int(size) : Int.max
        let redirects = plugin.number("sieve_max_redirects")
        limits.maxRedirects = redirects > 0 ? redirects : Int.max
        let actions = plugin.number("sieve_max_actions")
        limits.maxActions = actions > 0 ? actions : Int.max
        do {
            try self.init(
                implementation: settings.string("managesieve_implementation_string"),
                sieveCapability: settings.string("managesieve_sieve_capability"),
                maxLineLength: Int(settings.size("managesieve_max_line_length")),
                maxCompileErrors: settings.number("managesieve_max_compile_errors"),
                logoutFormat: settings.string("managesieve_logout_format"),
                maxUserIPConnections: settings.number("mail_max_userip_connections"), extensions: extensions, limits: limits,
                maxScripts: plugin.number("sieve_quota_max_scripts"), maxStorage: Int(plugin.size("sieve_quota_max_storage")))
        } catch let error as ConfigError {
            throw ConfigError(error.message, at: settings.location(of: "managesieve_logout_format"))
        }
    }

    /// Pigeonhole's order of its SIEVE capability; the core comparators are implicit and not listed.
    static let capabilityOrder = [
        "fileinto", "reject", "envelope", "encoded-character", "vacation", "subaddress", "comparator-i;ascii-numeric",
        "relational", "regex", "imap4flags", "copy", "include", "variables", "body", "enotify", "environment", "mailbox",
        "date", "index", "ihave", "duplicate", "mime", "foreverypart", "extracttext", "editheader", "vacation-seconds",
        "ereject"
    ]

    /// The SIEVE capability: `managesieve_sieve_capability`, else the enabled extensions in Pigeonhole's order.
    var sieveExtensionsCapability: String {
        guard sieveCapability.isEmpty else { return sieveCapability }
        let listed = extensions.subtracting(["comparator-i;octet", "comparator-i;ascii-casemap"])
        let ordered = Self.capabilityOrder.filter(listed.contains)
        return (ordered + listed.subtracting(ordered).sorted()).joined(separator: " ")
    }
}

public enum ManageSieveSettings {
    static let protocolSettings = [
        "managesieve_max_line_length", "managesieve_implementation_string", "managesieve_sieve_capability",
        "managesieve_notify_capability", "managesieve_max_compile_errors", "managesieve_logout_format"
    ]

    public static func register(in registry: inout SettingsRegistry) {
        registry.registerProtocolFilter(names: [], overridable: protocolSettings)
        registry.register([
            SettingDefinition(
                "managesieve_max_line_length", .size, default: "65536",
                "Longest ManageSieve command line, literals (scripts) not counted; longer lines are refused unread."),
            SettingDefinition(
                "managesieve_implementation_string", .string, default: "Dovecot Pigeonhole",
                "The IMPLEMENTATION capability ManageSieve announces (some clients expect Cyrus timsieved's)."),
            SettingDefinition(
                "managesieve_sieve_capability", .string,
                "The SIEVE capability ManageSieve announces; empty: the extensions scripts may require (sieve_extensions)."),
            SettingDefinition(
                "managesieve_notify_capability", .string,
                "The NOTIFY capability; must stay empty: the enotify extension is not implemented, so none is announced."),
            SettingDefinition(
                "managesieve_max_compile_errors", .number, default: "5",
                "Most compile errors a PUTSCRIPT or CHECKSCRIPT answer lists, 0: no limit (the compiler stops at the first)."),
            SettingDefinition(
                "managesieve_logout_format", .string, default: ManageSieveConfiguration.defaultLogoutFormat, "Logout log line: %i/%o bytes in/out.")
        ])
        registry.registerPlugin([
            SettingDefinition("sieve_quota_max_scripts", .number, default: "0", "Most personal scripts a user may store (ManageSieve); 0: no limit."),
            SettingDefinition(
                "sieve_quota_max_storage", .size, default: "0", "Most bytes of personal scripts a user may store (ManageSieve); 0: no limit.")
        ])
    }
}
