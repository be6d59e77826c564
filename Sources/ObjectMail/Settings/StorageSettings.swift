import Config
import MetaCache
import ObjectStore

/// The storage settings this module honours, with Dovecot's names: where each user's mail lives
/// (`mail_location`, `mail_home`), the INBOX namespace and its mailboxes, and the obox pipelines.
public enum StorageSettings {
    public static let definitions: [SettingDefinition] = [
        SettingDefinition(
            "mail_location", .string, default: "obox:%8Mu/%u",
            "obox:PREFIX: each user's key prefix in the bucket (%8Mu spreads users over partitions)."),
        SettingDefinition(
            "mail_home", .string, default: "var/vmail/%2Mu/%u",
            "Each user's local directory (metacache index); relative paths start at the start directory."),
        SettingDefinition(
            "mail_prefetch_count", .number, default: "10",
            "How many mail bodies are fetched from the object store in parallel (FETCH, SEARCH BODY/TEXT); 0: one at a time."),
        SettingDefinition(
            "mail_operation_deadline", .time, default: "30s",
            "ObjectMail's own: the longest a client waits for a command (IMAP, POP3) or a delivery (LMTP) while the "
                + "object store does not answer, retries included; then it gets a temporary failure (NO [UNAVAILABLE], "
                + "-ERR [SYS/TEMP], 451 4.3.0) and nothing of the operation remains. Each answer of the store "
                + "starts the wait again, so long FETCHes and first logins from a slow but working store go on. 0: no deadline."),
        MailPlugins.definition,
        SettingDefinition(
            "mailbox_list_index", .choice(["yes"]), default: "yes",
            "The mailbox list lives in each user's metacache index, as obox requires (no is not built)."),
        SettingDefinition(
            "mail_fsync", .choice(FsyncPolicy.allCases.map(\.rawValue)), default: FsyncPolicy.optimized.rawValue,
            "How the local caches sync their writes (mail is durable once the object store acknowledged it). "
                + "always: every metacache commit (SQLite synchronous=FULL) and every fscache entry and its directory "
                + "are fsynced before they count. optimized: no sync per write; the metacache (synchronous=NORMAL in WAL) "
                + "may lose its last commits to a power loss but is never corrupted, and the dirty marker makes the next "
                + "start revalidate the user against the bucket; the fscache syncs its filesystem once a minute after "
                + "writing, and the first start after the machine went down drops the entries written since. never: "
                + "the same for the metacache (OFF could corrupt it), no sync call by the fscache, whose entries are all "
                + "dropped after the machine restarts. The markers that keep saves exactly-once are fsynced in every mode."),
        SettingDefinition(
            "mail_temp_dir", .string, default: "/tmp",
            "Where mails being received (APPEND literals, LMTP DATA/BDAT) larger than 128 KiB are spooled, "
                + "in files unlinked as soon as they are created, instead of being held in memory."),
        SettingDefinition(
            "mail_save_memory_limit", .size, default: "256M",
            "ObjectMail's own (Dovecot has no equivalent): message bytes that saves and deliveries in flight may "
                + "hold in memory in the whole process (bodies above 128 KiB are spooled to mail_temp_dir and do not "
                + "count); beyond it a save gets a temporary failure (NO [UNAVAILABLE], 451 4.3.0). 0: no limit.")
    ]

    public static let pluginDefinitions: [SettingDefinition] = [
        SettingDefinition(
            "obox_fs", .string, default: "fscache:512M:var/cache/mails:posix:var/objects",
            "The object-store pipeline for mail objects (fscache:SIZE:DIR:…, compress:gz:LEVEL:…, s3:URL, posix:DIR).",
            secrecy: .urlCredentials),
        SettingDefinition(
            "obox_index_fs", .string, default: "compress:gz:6:posix:var/objects",
            "The object-store pipeline for index bundles; normally compress:gz:6: in front of the same store.",
            secrecy: .urlCredentials),
        SettingDefinition(
            "obox_max_rescan_mail_count", .number, default: "10",
            "Upload a folder's index bundle after this many new mails (and a rescan reads at most this many)."),
        SettingDefinition(
            "metacache_upload_interval", .time, default: "5min",
            "Upload index changes other than new mail (flags, expunges) within this time."),
        SettingDefinition(
            "metacache_close_delay", .time, default: "2s",
            "A user accessed more recently is trusted locally; later accesses check the bucket for another backend's index uploads."),
        SettingDefinition(
            "obox_autofix_storage", .bool, default: "no",
            "Drop a message from the index when its object is gone from the bucket (404 and not listed); otherwise report it."),
        SettingDefinition(
            "metacache_max_space", .size, default: "0",
            "Local disk the metacache (users' indexes) may use; least recently used users are flushed and evicted above it (0: no limit)."),
        SettingDefinition(
            "metacache_min_free_space", .size, default: "256M",
            "ObjectMail's own: when the filesystem holding the metacache has less free space than this, every fscache "
                + "on that filesystem evicts entries until it has it again, and caches nothing new meanwhile (0: never)."),
        SettingDefinition(
            "metacache_max_grace", .size, default: "1G",
            "How far above metacache_max_space the metacache may grow before new logins are refused."),
        SettingDefinition(
            "metacache_delay_uploads", .choice(["yes"]), default: "yes",
            "Index bundles go up after obox_max_rescan_mail_count new mails or metacache_upload_interval, not at every change "
                + "(a crash costs a rescan's GETs); no is not built."),
        SettingDefinition(
            "obox_use_object_ids", .choice(["yes"]), default: "yes",
            "Mail objects are named by an object ID kept in the index (mailboxes/GUID/ID), never derived again; no is not built."),
        SettingDefinition(
            "obox_max_parallel_deletes", .number, default: "0",
            "Objects removed per bulk delete request (S3 DeleteObjects), one request at a time; 0: 1000, S3's maximum."),
        SettingDefinition(
            "obox_max_parallel_writes", .number, default: "0",
            "Mail objects one save (an APPEND or MULTIAPPEND, an LMTP recipient) PUTs in parallel at most; "
                + "0: mail_prefetch_count, as in Dovecot (1 when that is 0)."),
        SettingDefinition(
            "obox_max_parallel_copies", .number, default: "0",
            "Parallel object copies; COPY and MOVE make no store request here (the new index rows refer to the same objects).",
            effect: .none),
        SettingDefinition(
            "zlib_save", .choice(["gz"]), default: "",
            "With the zlib plugin: new mail objects are stored gzip-compressed (reads tell compressed from plain objects, "
                + "so turning it on later is safe); empty: stored as they are. bz2, lz4, zstd and xz are not built."),
        SettingDefinition("zlib_save_level", .number, default: "6", "gzip level (1-9) for zlib_save."),
        SettingDefinition(
            "quota_vsizes", .choice(["yes"]), default: "yes",
            "Quota counts virtual sizes (RFC822.SIZE), as the count backend requires; no is not built.")
    ]

    static let mailboxSection = SectionDefinition(
        "mailbox", naming: .required, "A mailbox of the namespace.",
        settings: [
            SettingDefinition("special_use", .string, "RFC 6154 special-use flag (\\Drafts, \\Junk, \\Trash, \\Sent, \\Archive …)."),
            SettingDefinition(
                "auto", .choice(["no", "create", "subscribe"]), default: "no",
                "Create (and subscribe) the mailbox automatically for every user."),
            SettingDefinition(
                "autoexpunge", .time, default: "0",
                "When a session ends, expunge the mailbox's messages saved longer ago than this (0: never)."),
            SettingDefinition(
                "autoexpunge_max_mails", .number, default: "0",
                "When a session ends, expunge the mailbox's oldest messages beyond this many (0: no limit).")
        ])

    static let namespaceSection = SectionDefinition(
        "namespace", naming: .required, "The mailbox namespace (only the INBOX namespace).",
        settings: [
            SettingDefinition("prefix", .string, "Namespace prefix; only the empty prefix is supported."),
            SettingDefinition("separator", .string, default: "/", "Hierarchy separator; only / is supported."),
            SettingDefinition("inbox", .bool, default: "no", "This namespace holds INBOX.")
        ],
        sections: [mailboxSection])

    public static func register(in registry: inout SettingsRegistry) {
        registry.register(definitions)
        registry.registerPlugin(pluginDefinitions + QuotaConfiguration.settingDefinitions + MailLogConfiguration.settingDefinitions)
        registry.register(section: namespaceSection)
    }
}

extension StorageConfiguration {
    /// Reads `mail_location`, `mail_home` and the namespaces; unsupported values are `ConfigError`s
    /// with file:line, so an operator never runs with a layout other than the one configured.
    public init(settings: Settings) throws {
        let location = settings.string("mail_location")
        let prefix = try Self.prefixTemplate(fromLocation: location, at: settings.location(of: "mail_location"))
        var mailboxes: [ConfiguredMailbox] = []
        for namespace in settings.sections("namespace") {
            if !namespace.string("prefix").isEmpty {
                throw ConfigError(
                    "namespace \(namespace.name ?? ""): only prefix = (empty) is supported, not '\(namespace.string("prefix"))'",
                    at: namespace.location(of: "prefix"))
            }
            if namespace.string("separator") != String(MailboxName.separator) {
                throw ConfigError(
                    "namespace \(namespace.name ?? ""): only separator = / is supported, not '\(namespace.string("separator"))'",
                    at: namespace.location(of: "separator"))
            }
            for box in namespace.sections("mailbox") {
                let raw = box.name ?? ""
                let name: MailboxName
                do {
                    name = try MailboxName(raw)
                } catch {
                    throw ConfigError("namespace \(namespace.name ?? "") mailbox \(raw): \(error)", at: box.section.location)
                }
                let use = box.string("special_use")
                let autoexpunge = box.milliseconds("autoexpunge")
                mailboxes.append(
                    ConfiguredMailbox(
                        name: name, specialUse: use.isEmpty ? nil : use,
                        auto: ConfiguredMailbox.Auto(rawValue: box.string("auto")) ?? .no,
                        autoexpunge: autoexpunge > 0 ? .milliseconds(autoexpunge) : nil,
                        autoexpungeMaxMails: max(0, box.number("autoexpunge_max_mails"))))
            }
        }
        let plugin = settings.singleSection("plugin")
        let policy = IndexBundler.Policy(
            maxNewMails: max(1, plugin.number("obox_max_rescan_mail_count")),
            uploadInterval: .milliseconds(plugin.milliseconds("metacache_upload_interval")))
        let metacache = MetacacheSettings(
            closeDelay: .milliseconds(plugin.milliseconds("metacache_close_delay")),
            autofixStorage: plugin.bool("obox_autofix_storage"),
            maxSpace: plugin.size("metacache_max_space"), maxGrace: plugin.size("metacache_max_grace"))
        self.init(
            prefixTemplate: prefix, homeTemplate: settings.string("mail_home"), mailboxes: mailboxes,
            bundlePolicy: policy, prefetchCount: max(0, settings.number("mail_prefetch_count")), metacache: metacache,
            quota: MailPlugins.named(in: settings).contains("quota")
                ? try QuotaConfiguration(plugin: plugin, scripts: try ScriptService.all(in: settings)) : nil)
        let plugins = MailPlugins.named(in: settings)
        if plugins.contains("mail_log") {
            // Dovecot's module loader refuses mail_log without the notify plugin it is built on, with this text.
            guard plugins.contains("notify") else {
                throw ConfigError(
                    "mail_plugins: Plugin notify must be loaded also (you must set: mail_plugins=$mail_plugins notify)",
                    at: settings.location(of: "mail_plugins"))
            }
            mailLog = try MailLogConfiguration(plugin: plugin)
        }
        let writes = plugin.number("obox_max_parallel_writes")
        maxParallelWrites = writes > 0 ? writes : max(1, prefetchCount)
        let deadline = settings.milliseconds("mail_operation_deadline")
        operationDeadline = deadline > 0 ? .milliseconds(deadline) : nil
        metacacheMinFreeSpace = plugin.size("metacache_min_free_space")
        // The choice type has refused anything else already.
        fsync = FsyncPolicy(rawValue: settings.string("mail_fsync")) ?? .optimized
        let deletes = plugin.number("obox_max_parallel_deletes")
        maxParallelDeletes = deletes > 0 ? min(deletes, 1000) : 1000
        if !MailPlugins.named(in: settings).contains("quota"), !plugin.string("quota").isEmpty {
            throw ConfigError(
                "quota is set but mail_plugins does not load the quota plugin (mail_plugins = $mail_plugins quota); "
                    + "Dovecot would ignore the quota", at: plugin.location(of: "quota"))
        }
    }

    /// `obox:PREFIX[:INDEX=~/][:CONTROL=~/]`: the index and control files always live in the home.
    static func prefixTemplate(fromLocation location: String, at place: SourceLocation?) throws -> String {
        guard location.hasPrefix("obox:") else {
            throw ConfigError("mail_location: only the obox driver is supported (obox:%8Mu/%u), not '\(location)'", at: place)
        }
        let parts = location.dropFirst("obox:".count).split(separator: ":", omittingEmptySubsequences: false)
        for option in parts.dropFirst() where option != "INDEX=~/" && option != "CONTROL=~/" && !option.isEmpty {
            throw ConfigError("mail_location: unsupported option '\(option)' (only INDEX=~/ and CONTROL=~/)", at: place)
        }
        guard let prefix = parts.first, !prefix.isEmpty else {
            throw ConfigError("mail_location: obox needs a key prefix such as %8Mu/%u", at: place)
        }
        return String(prefix)
    }
}
