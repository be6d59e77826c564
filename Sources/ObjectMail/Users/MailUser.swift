import Foundation
import Logging
import MetaCache
import ObjectStore

/// One active user. Every session of the user shares this actor, so the user's index changes
/// are serialised here and every session sees the others' changes.
public actor MailUser {
    public nonisolated let name: String
    public nonisolated let layout: UserLayout
    let index: UserIndex
    let store: any ObjectStore
    let configuration: StorageConfiguration
    var logger: Logger
    /// Sessions watching this user's mailboxes (IDLE, NOTIFY).
    public nonisolated let events = MailEventBus()
    /// Uploads the index to the bucket (nil without an index store, e.g. in unit tests).
    let uploads: IndexUploadScheduler?
    let indexStore: (any ObjectStore)?
    /// SORT/THREAD keys and folded header values of the last mailboxes read.
    var searchCaches = SearchCaches()
    /// The revalidation running, if any (they never overlap).
    var revalidation: Task<Void, Never>?
    /// Object keys being saved: PUT sent, row not yet in the index. A rescan running meanwhile
    /// must not adopt them (the save adds the row itself).
    var savesInFlight: Set<String> = []
    /// Objects of saves answered with a failure: never adopted, deleted in the background (`RefusedSaves`).
    var refusedSaves: RefusedSaves
    /// Deletes refused saves' objects until the ledger is empty; nil while nothing is due.
    var refusedRetirement: Task<Void, Never>?
    /// Rounds of refused-save deletes that failed, logged at the 1st, 2nd, 4th … in a row.
    let refusedDeleteFailures = RepeatedFailureLog()
    /// The quota limits in force: the configured rules, or the userdb's (`applyUserdbFields`); nil without quota.
    var quotaLimits: QuotaLimits?
    /// The quota rules: the configuration's, until a reload replaces them.
    var quota: QuotaConfiguration?
    /// The userdb fields of the last login or delivery, for re-deriving `quotaLimits` after a reload.
    var userdbFields: [String: String] = [:]
    /// The second root's (`quota2`) limits; nil without it.
    var secondQuotaLimits: QuotaLimits?
    /// An autoexpunge run is busy (`MailUser+Autoexpunge`): sessions ending meanwhile do not start another.
    var autoexpunging = false
    /// Quota warnings (`MailUser+QuotaWarnings`): the usage last compared, whether another comparison is due, and
    /// the task making them (nil when idle).
    var quotaWarningUsage: QuotaCount?
    var quotaWarningCheckDue = false
    var quotaWarningChecks: Task<Void, Never>?

    public init(
        name: String, layout: UserLayout, store: any ObjectStore, indexStore: (any ObjectStore)? = nil,
        configuration: StorageConfiguration, logger: Logger
    ) throws {
        self.name = name
        self.layout = layout
        self.store = store
        self.configuration = configuration
        quota = configuration.quota
        quotaLimits = try? configuration.quota?.limits(userdbFields: [:])
        secondQuotaLimits = try? configuration.quota?.secondLimits(userdbFields: [:]) ?? nil
        var logger = logger
        logger[metadataKey: "user"] = "\(name)"
        self.logger = logger
        let index: UserIndex
        do {
            index = try UserIndex(user: name, directory: layout.home, fsync: configuration.fsync)
        } catch let error as IndexError {
            throw StorageError.index(IndexFailure(error))
        }
        self.index = index
        refusedSaves = RefusedSaves(home: layout.home)
        self.indexStore = indexStore
        uploads = indexStore.map {
            IndexUploadScheduler(
                bundler: IndexBundler(index: index, store: $0, prefix: layout.prefix, policy: configuration.bundlePolicy, logger: logger),
                interval: configuration.bundlePolicy.checkInterval, logger: logger)
        }
    }

    /// Makes the user ready for a session: INBOX and the configured automatic mailboxes exist
    /// and are subscribed where configured, and deletes left over from a failed request are retried.
    public func prepare() async throws {
        try await mapErrors {
            if try await index.mailbox(named: MailboxName.inbox.value) == nil {
                _ = try await createIndexMailbox(.inbox, specialUse: nil)
                try await index.setSubscribed(MailboxName.inbox.value, true)
            }
            for configured in configuration.mailboxes where configured.auto != .no {
                if try await index.mailbox(named: configured.name.value) == nil {
                    _ = try await createIndexMailbox(configured.name, specialUse: configured.specialUse)
                }
                if configured.auto == .subscribe {
                    try await index.setSubscribed(configured.name.value, true)
                }
            }
        }
        await deletePendingObjects()
        scheduleRefusedRetirement()
        await primeQuotaWarnings()
    }

    // MARK: - Shared helpers

    /// Runs `body`, turning index errors into storage errors.
    func mapErrors<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as IndexError {
            switch error {
            case .mailboxNotFound(let user, let mailbox): throw StorageError.mailboxNotFound(user: user, mailbox: mailbox)
            case .mailboxExists(let user, let mailbox): throw StorageError.mailboxExists(user: user, mailbox: mailbox)
            default: throw StorageError.index(IndexFailure(error))
            }
        } catch let error as ObjectStoreError {
            throw StorageError.store(user: name, StoreFailure(error))
        }
    }

    func parseName(_ raw: String) throws -> MailboxName {
        do {
            return try MailboxName(raw)
        } catch {
            throw StorageError.invalidName(raw, error)
        }
    }

    func createIndexMailbox(
        _ name: MailboxName, specialUse: String?, guid: String = UniqueID.make(),
        origin: UUID? = nil
    ) async throws -> Mailbox {
        let mailbox = Mailbox(
            try await index.createMailbox(
                name: name.value, guid: guid, uidValidity: try await nextUIDValidity(),
                specialUse: specialUse))
        mailLogMailbox(.mailboxCreate, mailbox.name)
        // publish also schedules the index upload.
        publish(MailEvent(mailboxID: mailbox.id, mailboxName: mailbox.name, origin: origin, change: .mailboxCreated(name: mailbox.name)))
        return mailbox
    }

    /// The current time, or one more than the last UIDVALIDITY handed out, so that a mailbox
    /// deleted and created again within a second still gets a new UIDVALIDITY.
    func nextUIDValidity() async throws -> UInt32 {
        let last = UInt32(try await index.state("last-uidvalidity") ?? "0") ?? 0
        let next = max(UniqueID.uidValidity(), last &+ 1)
        try await index.setState("last-uidvalidity", String(next))
        return next
    }

    /// Deletes objects whose last reference is gone. Failures stay queued in the index and are
    /// retried on the next expunge or login; the client's operation has already succeeded.
    /// `known`: the pending deletes as a write just read them (`ExpungeResult.pendingObjectDeletes`), else read here.
    func deletePendingObjects(_ known: [String]? = nil) async {
        do {
            let pending = if let known { known } else { try await index.pendingObjectDeletes() }
            guard !pending.isEmpty else { return }
            var deleted: [String] = []
            for start in stride(from: 0, to: pending.count, by: configuration.maxParallelDeletes) {
                let batch = Array(pending[start..<min(start + configuration.maxParallelDeletes, pending.count)])
                let failures = try await store.deleteMany(batch.map(layout.bucketKey))
                let failed = Set(failures.map(\.key))
                deleted += batch.filter { !failed.contains(layout.bucketKey($0)) }
                for failure in failures {
                    logger.warning("could not delete object, will retry", metadata: ["key": "\(failure.key)", "code": "\(failure.code)"])
                }
            }
            index.objectsDeleted(deleted)
        } catch {
            logger.warning("deleting expunged objects failed, will retry: \(error)")
        }
    }
}
