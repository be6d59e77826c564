import Config

/// Dovecot's `mail_plugins`: the plugins this build has, each switching its feature on when named
/// (`mail_plugins = $mail_plugins quota`, per protocol in `protocol imap { … }`). Naming a plugin this
/// build lacks (acl, a misspelling) is a configuration error, not a silently missing feature.
public enum MailPlugins {
    /// obox is the only storage, so it is on whether named or not; the others act only when named.
    public static let built = ["obox", "zlib", "quota", "imap_quota", "notify", "mail_log", "sieve"]

    public static let definition = SettingDefinition(
        "mail_plugins", .words(built),
        "Plugins to load: obox (the storage; always on), zlib (zlib_save compresses new mail objects), "
            + "quota (quota rules are enforced), imap_quota (IMAP QUOTA extension; with quota), "
            + "notify (the change notifications mail_log needs), mail_log (one log line per mail event; with notify), "
            + "sieve (LMTP and LDA run the users' Sieve scripts on delivery; elsewhere it does nothing, as in Dovecot).")

    /// The plugins named in these settings (a protocol's view from `Settings.forProtocol`, or the top level).
    public static func named(in settings: Settings) -> Set<String> {
        guard settings.definition.setting("mail_plugins") != nil else { return [] }
        return Set(settings.list("mail_plugins"))
    }

    /// Plugins that act on the storage, which one process shares between protocols: a protocol
    /// that names a different set of these gets the top level's anyway, and is told so.
    static let storagePlugins: Set<String> = ["zlib", "quota", "notify", "mail_log"]

    /// Warnings for protocol filters whose storage plugins differ from the top level's.
    public static func sharedStorageWarnings(_ settings: Settings, protocols: [String]) -> [String] {
        func words(_ plugins: Set<String>) -> String { plugins.isEmpty ? "none" : plugins.sorted().joined(separator: " ") }
        let global = named(in: settings).intersection(storagePlugins)
        return protocols.compactMap { name in
            let own = named(in: settings.forProtocol(name)).intersection(storagePlugins)
            guard own != global else { return nil }
            return "protocol \(name): mail_plugins loads \(words(own)) of the storage plugins (quota, zlib, notify, mail_log), but the storage, "
                + "which one process shares between protocols, runs with the top level's: \(words(global))"
        }
    }
}
