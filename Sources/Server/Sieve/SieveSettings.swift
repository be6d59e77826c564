import Config
import Foundation
import ObjectMail
import Sieve

/// Pigeonhole's settings of the `plugin { }` section that this build honours, with Pigeonhole's names and defaults.
/// They act where `mail_plugins` names `sieve` for LMTP or LDA (`protocol lmtp { mail_plugins = $mail_plugins sieve }`).
public enum SieveSettings {
    /// How many numbered `sieve_before2` … / `sieve_after2` … settings are read (Pigeonhole reads until one is missing).
    static let numberedScripts = 9

    public static var definitions: [SettingDefinition] {
        var list = [
            SettingDefinition(
                "sieve", .string, default: "file:~/sieve;active=~/.dovecot.sieve",
                "The user's personal scripts: a file: location (file:~/sieve;active=~/.dovecot.sieve, or a plain path as in "
                    + "older configurations) turns them on; they live in the bucket with the user's other state, managed with "
                    + "objectmail sieve put/activate/…, so the path only names the storage. Empty: no personal scripts."),
            SettingDefinition(
                "sieve_dir", .string, "Older name for the personal script directory of sieve (accepted with it; the scripts live in the bucket)."),
            SettingDefinition(
                "sieve_default", .string, "A local script (path or file:path) run for users without an active personal script."),
            SettingDefinition("sieve_global_path", .string, "Older name of sieve_default."),
            SettingDefinition(
                "sieve_global", .string, "The local directory (path or file:path) of scripts that include :global finds."),
            SettingDefinition("sieve_global_dir", .string, "Older name of sieve_global."),
            SettingDefinition(
                "sieve_before", .string,
                "A local script, or a directory of *.sieve scripts run in name order, run before the user's script "
                    + "(sieve_before2 … follow in order)."),
            SettingDefinition(
                "sieve_after", .string,
                "A local script or directory of *.sieve scripts run after the user's script when it kept the message "
                    + "(sieve_after2 … follow in order)."),
            SettingDefinition(
                "sieve_extensions", .string,
                "The extensions scripts may require: a list replaces the default set (every implemented one but editheader), "
                    + "+NAME adds and -NAME removes one. Only implemented extensions may be named."),
            SettingDefinition(
                "sieve_global_extensions", .string,
                "Extensions (same syntax) that only global scripts (sieve_before, sieve_after, sieve_default, :global includes) may require."),
            SettingDefinition("sieve_max_script_size", .size, default: "1M", "Largest script that is compiled; 0: no limit."),
            SettingDefinition("sieve_max_actions", .number, default: "32", "Most actions one delivery's scripts may perform; 0: no limit."),
            SettingDefinition(
                "sieve_max_redirects", .number, default: "4", "Most redirect actions one delivery's scripts may perform; 0: no limit."),
            SettingDefinition(
                "sieve_redirect_envelope_from", .string, default: "sender",
                "Envelope sender of redirected mail: sender (the message's), recipient, orig_recipient, postmaster, or "
                    + "<address>. A message from the null sender is always redirected from the null sender."),
            SettingDefinition(
                "sieve_vacation_send_from_recipient", .bool, default: "no",
                "Vacation responses are sent from the recipient's address instead of the null sender.")
        ]
        for number in 2...numberedScripts {
            list.append(SettingDefinition("sieve_before\(number)", .string, "A further sieve_before script, run after the previous ones."))
            list.append(SettingDefinition("sieve_after\(number)", .string, "A further sieve_after script, run after the previous ones."))
        }
        return list
    }
}

/// What Sieve does on delivery for one protocol (LMTP or LDA), read from its view of the settings.
public struct SieveDeliveryConfiguration: Sendable, Equatable {
    /// Personal scripts (the `sieve` location) are run.
    public var personal: Bool
    /// sieve_default: the script for users with no active one.
    public var defaultScript: String?
    /// sieve_before…, sieve_after…: files or directories, in order.
    public var before: [String]
    public var after: [String]
    /// sieve_global: where `include :global` looks.
    public var globalDirectory: String?
    /// The extensions personal scripts may require, and global ones.
    public var personalExtensions: Set<String>
    public var globalExtensions: Set<String>
    public var limits: SieveLimits
    /// Where redirects, rejections and vacation responses go (`submission_host`); nil: they fail, and the message is kept.
    var submission: SMTPSubmission?
    /// `postmaster_address`; empty: postmaster@ the recipient's domain, Dovecot's default.
    public var postmasterAddress = ""
    /// `hostname`, for Message-IDs and the rejection's Reporting-UA.
    public var hostname = ProcessInfo.processInfo.hostName
    public var redirectEnvelopeFrom = RedirectEnvelopeFrom.sender
    public var vacationSendFromRecipient = false

    /// sieve_redirect_envelope_from.
    public enum RedirectEnvelopeFrom: Sendable, Equatable {
        case sender, recipient, originalRecipient, postmaster
        case address(String)
    }

    /// Pigeonhole enables every extension it has but editheader (and its vnd ones) unless told otherwise.
    public static let defaultExtensions = sieveSupportedExtensions.subtracting(["editheader"])

    public init(
        personal: Bool = true, defaultScript: String? = nil, before: [String] = [], after: [String] = [],
        globalDirectory: String? = nil, personalExtensions: Set<String> = defaultExtensions,
        globalExtensions: Set<String> = defaultExtensions, limits: SieveLimits = .default
    ) {
        self.personal = personal
        self.defaultScript = defaultScript
        self.before = before
        self.after = after
        self.globalDirectory = globalDirectory
        self.personalExtensions = personalExtensions
        self.globalExtensions = globalExtensions
        self.limits = limits
    }

    /// nil when this protocol's `mail_plugins` does not name sieve; a `ConfigError` for what this build cannot honour.
    public init?(settings: Settings) throws {
        guard MailPlugins.named(in: settings).contains("sieve") else { return nil }
        let plugin = settings.singleSection("plugin")
        func location(_ name: String) throws -> String? {
            let value = plugin.string(name)
            guard !value.isEmpty else { return nil }
            return try SieveLocation.path(of: value, setting: name, at: plugin.location(of: name))
        }
        personal = try location("sieve") != nil
        _ = try location("sieve_dir")
        defaultScript = try location("sieve_default") ?? location("sieve_global_path")
        globalDirectory = try location("sieve_global") ?? location("sieve_global_dir")
        var before: [String] = []
        var after: [String] = []
        for number in 1...SieveSettings.numberedScripts {
            let suffix = number == 1 ? "" : "\(number)"
            if let path = try location("sieve_before" + suffix) { before.append(path) }
            if let path = try location("sieve_after" + suffix) { after.append(path) }
        }
        self.before = before
        self.after = after
        personalExtensions = try SieveLocation.extensions(
            plugin.string("sieve_extensions"), base: Self.defaultExtensions, setting: "sieve_extensions",
            at: plugin.location(of: "sieve_extensions"))
        globalExtensions = personalExtensions.union(
            try SieveLocation.extensions(
                plugin.string("sieve_global_extensions"), base: [], setting: "sieve_global_extensions",
                at: plugin.location(of: "sieve_global_extensions")))
        var limits = SieveLimits()
        let size = plugin.size("sieve_max_script_size")
        limits.maxScriptSize = size > 0 ? Int(size) : Int.max
        let actions = plugin.number("sieve_max_actions")
        limits.maxActions = actions > 0 ? actions : Int.max
        let redirects = plugin.number("sieve_max_redirects")
        limits.maxRedirects = redirects > 0 ? redirects : Int.max
        self.limits = limits
        let hostname = settings.string("hostname")
        self.hostname = hostname.isEmpty ? ProcessInfo.processInfo.hostName : hostname
        submission = SMTPSubmission(submissionHost: settings.string("submission_host"), heloName: self.hostname)
        postmasterAddress = settings.string("postmaster_address")
        let from = plugin.string("sieve_redirect_envelope_from").trimmingCharacters(in: .whitespaces)
        switch from.lowercased() {
        case "", "sender": redirectEnvelopeFrom = .sender
        case "recipient": redirectEnvelopeFrom = .recipient
        case "orig_recipient": redirectEnvelopeFrom = .originalRecipient
        case "postmaster": redirectEnvelopeFrom = .postmaster
        default:
            guard from.hasPrefix("<"), from.hasSuffix(">") else {
                throw ConfigError(
                    "sieve_redirect_envelope_from: '\(from)' is not sender, recipient, orig_recipient, postmaster or <address> "
                        + "(user_email is not supported)", at: plugin.location(of: "sieve_redirect_envelope_from"))
            }
            redirectEnvelopeFrom = .address(String(from.dropFirst().dropLast()))
        }
        vacationSendFromRecipient = plugin.bool("sieve_vacation_send_from_recipient")
    }
}
