import Config
import MetaCache
import ObjectStore

/// The storage settings, read once from the configuration.
public struct StorageConfiguration: Sendable, Equatable {
    /// `mail_location = obox:%8Mu/%u`: the template of each user's key prefix in the bucket.
    public var prefixTemplate: String
    /// `mail_home`: the template of each user's local metacache directory.
    public var homeTemplate: String
    /// `obox_max_parallel_deletes`: objects deleted per bulk request batch.
    public var maxParallelDeletes: Int
    /// `obox_max_parallel_writes`: PUTs one save (a MULTIAPPEND, an LMTP recipient) has in flight at most.
    public var maxParallelWrites: Int = 10
    /// The mailboxes of `namespace inbox { mailbox NAME { … } }`.
    public var mailboxes: [ConfiguredMailbox]
    /// When index bundles are uploaded (obox_max_rescan_mail_count, metacache_upload_interval).
    public var bundlePolicy: IndexBundler.Policy
    /// `mail_prefetch_count`: bodies fetched in parallel; 0 (as in Dovecot) means no prefetch, one at a time.
    public var prefetchCount: Int
    /// The metacache's own settings (close delay, autofix, space limit).
    public var metacache: MetacacheSettings
    /// The quota plugin's settings; nil without `quota`.
    public var quota: QuotaConfiguration?
    /// The mail_log plugin's settings; nil when mail_plugins does not load it.
    public var mailLog: MailLogConfiguration?
    /// `mail_operation_deadline`: how long a client waits for a command or delivery that the store keeps from
    /// progressing before it gets a temporary failure (`OperationDeadline`); nil: no deadline.
    public var operationDeadline: Duration? = .seconds(30)
    /// `metacache_min_free_space`: below this much free space on the metacache's filesystem, the fscache gives
    /// its space back (0: never).
    public var metacacheMinFreeSpace: Int64 = 256 << 20
    /// `mail_fsync`: how the metacache index (and, through the pipelines, the fscache) syncs its writes.
    public var fsync: FsyncPolicy = .optimized

    public init(
        prefixTemplate: String = "%8Mu/%u", homeTemplate: String, maxParallelDeletes: Int = 1000,
        mailboxes: [ConfiguredMailbox] = [], bundlePolicy: IndexBundler.Policy = IndexBundler.Policy(),
        prefetchCount: Int = 10, metacache: MetacacheSettings = MetacacheSettings(),
        quota: QuotaConfiguration? = nil
    ) {
        self.quota = quota
        self.prefetchCount = prefetchCount
        self.metacache = metacache
        self.prefixTemplate = prefixTemplate
        self.homeTemplate = homeTemplate
        self.maxParallelDeletes = maxParallelDeletes
        self.mailboxes = mailboxes
        self.bundlePolicy = bundlePolicy
    }

    /// The layout of one user: templates expanded with the user's variables. The userdb's `home` and `mail`
    /// fields, when it returns them, replace `mail_home` and `mail_location` for that user, as in Dovecot.
    public func layout(for user: String, userdb: UserdbLocation = UserdbLocation()) throws -> UserLayout {
        let variables = VariableExpander.forUser(user)
        let home = try userdb.home.map { try variables.expand($0) } ?? variables.expand(homeTemplate)
        let template = try userdb.mail.map { try StorageConfiguration.prefixTemplate(fromLocation: $0, at: nil) } ?? prefixTemplate
        let prefix = try VariableExpander.forUser(user, home: home).expand(template)
        return UserLayout(user: user, prefix: prefix.trimmingSlashes(), home: home)
    }
}

/// Where the userdb says a user's mail lives: its `home` and `mail` fields (nil: the configured templates).
public struct UserdbLocation: Sendable, Equatable {
    public var home: String?
    public var mail: String?

    public init(home: String? = nil, mail: String? = nil) {
        self.home = home
        self.mail = mail
    }

    /// From userdb fields; empty values count as absent.
    public init(fields: [String: String]) {
        home = fields["home"].flatMap { $0.isEmpty ? nil : $0 }
        mail = fields["mail"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// `metacache_close_delay`, `obox_autofix_storage`, `metacache_max_space`, `metacache_max_grace`.
public struct MetacacheSettings: Sendable, Equatable {
    /// A user accessed more recently than this is trusted locally; after it, the next access
    /// checks the bucket (one LIST) for index bundles another backend wrote.
    public var closeDelay: Duration
    /// Drop index rows whose object is gone (404 and not listed) instead of only reporting them.
    public var autofixStorage: Bool
    /// Local disk the metacache may use (0: no limit); least recently used users are evicted above it.
    public var maxSpace: Int64
    /// Above `maxSpace + maxGrace` (when eviction cannot catch up) new logins are refused.
    public var maxGrace: Int64

    public init(closeDelay: Duration = .seconds(2), autofixStorage: Bool = false, maxSpace: Int64 = 0, maxGrace: Int64 = 1 << 30) {
        self.closeDelay = closeDelay
        self.autofixStorage = autofixStorage
        self.maxSpace = maxSpace
        self.maxGrace = maxGrace
    }
}

/// A mailbox the configuration names: its special use and whether it is created or subscribed
/// automatically at login (Dovecot's `auto = no|create|subscribe`).
public struct ConfiguredMailbox: Sendable, Equatable {
    public enum Auto: String, Sendable, Equatable { case no, create, subscribe }

    public var name: MailboxName
    public var specialUse: String?
    public var auto: Auto
    /// `autoexpunge`: messages saved longer ago than this are expunged when a session ends (nil: never).
    public var autoexpunge: Duration?
    /// `autoexpunge_max_mails`: the oldest messages beyond this many are expunged too (0: no limit).
    public var autoexpungeMaxMails: Int

    public init(name: MailboxName, specialUse: String? = nil, auto: Auto = .no, autoexpunge: Duration? = nil, autoexpungeMaxMails: Int = 0) {
        self.name = name
        self.specialUse = specialUse
        self.auto = auto
        self.autoexpunge = autoexpunge
        self.autoexpungeMaxMails = autoexpungeMaxMails
    }
}

extension String {
    func trimmingSlashes() -> String {
        var text = Substring(self)
        while text.hasSuffix("/") { text.removeLast() }
        while text.hasPrefix("/") { text.removeFirst() }
        return String(text)
    }
}
