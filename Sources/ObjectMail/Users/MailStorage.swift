import Foundation
import Logging
import MetaCache
import ObjectStore
import S3Client
import Synchronization

/// The storage of the whole process: one `MailUser` actor per active user, shared by every
/// session of that user, and the object stores each user's mail and index bundles live in.
public actor MailStorage {
    public typealias StoreForUser = @Sendable (_ layout: UserLayout) throws -> any ObjectStore

    /// The settings users are opened with; `reload(quota:)` changes the quota part of it.
    public nonisolated var configuration: StorageConfiguration { current.withLock { $0 } }
    let current: Mutex<StorageConfiguration>
    /// The userdb lookup for users opened without one (admin commands); set by the server, replaced on reload.
    public typealias UserLocator = @Sendable (_ user: String) async throws -> UserdbLocation?
    let userLocator = Mutex<UserLocator?>(nil)
    let storeForUser: StoreForUser
    let indexStoreForUser: StoreForUser?
    let logger: Logger
    var active: [String: MailUser] = [:]
    /// Users being loaded: concurrent first requests (parallel LMTP deliveries) wait for the same
    /// load, so one user never gets two actors and two index connections racing to create INBOX.
    private var loading: [String: Task<MailUser, any Error>] = [:]
    /// Users being evicted: a new request for one waits until its index is flushed and removed.
    var evicting: [String: Task<Void, Never>] = [:]
    /// When each user was last handed out (metacache_close_delay, least-recently-used eviction).
    var lastAccess: [String: ContinuousClock.Instant] = [:]
    /// The metacache directory of every user this process opened (metacache_max_space accounting).
    var homes: [String: String] = [:]

    /// `storeForUser` builds (or shares) the user's `obox_fs` pipeline, `indexStoreForUser` the
    /// `obox_index_fs` one; without it indexes stay local (tests, tools).
    public init(
        configuration: StorageConfiguration, logger: Logger, storeForUser: @escaping StoreForUser,
        indexStoreForUser: StoreForUser? = nil
    ) {
        current = Mutex(configuration)
        self.storeForUser = storeForUser
        self.indexStoreForUser = indexStoreForUser
        self.logger = logger
    }

    /// The user's actor, loaded and prepared on first use. A user this backend has no local
    /// index for is loaded from the bucket: the newest bundles, then the objects saved after them.
    /// A user not accessed for `metacache_close_delay` is first checked against the bucket (one
    /// LIST) for index uploads by another backend, and merged with them.
    ///
    /// `userdb`: where the userdb (login, delivery) says the user's mail lives; without it a user not open yet is
    /// looked up with `locateUser` (admin commands), else the configured templates apply.
    public func user(_ name: String, userdb: UserdbLocation? = nil) async throws -> MailUser {
        if let user = active[name] {
            await checkForOtherBackends(name, user)
            return user
        }
        // The load is shared by every request for the user, each waiting only until its own deadline; the load
        // itself (bounded by the first request's deadline) registers the user, so one given up on is not lost
        // and never loaded twice.
        let task: Task<MailUser, any Error>
        if let pending = loading[name] {
            task = pending
        } else {
            task = Task {
                defer { loading[name] = nil }
                let user = try await load(name, userdb: userdb)
                active[name] = user
                lastAccess[name] = .now
                return user
            }
            loading[name] = task
        }
        return try await OperationDeadline.value(of: task) {
            let detail = "mail_operation_deadline passed while the user was loading"
            return StorageError.store(user: name, StoreFailure(.unavailable(key: "", detail: detail, requestID: nil)))
        }
    }

    /// A clean local index is trusted when the check cannot reach the bucket: the user keeps
    /// working, and the next upload's own check merges what another backend wrote.
    private func checkForOtherBackends(_ name: String, _ user: MailUser, force: Bool = false) async {
        let now = ContinuousClock.now
        defer { lastAccess[name] = .now }
        guard force || lastAccess[name].map({ now - $0 > configuration.metacache.closeDelay }) ?? false else { return }
        // Set before the LIST, so concurrent requests for the user do not check again.
        lastAccess[name] = now
        do {
            if try await user.anotherBackendUploaded() {
                try await user.revalidate(reason: "another backend uploaded (metacache_close_delay)")
            }
        } catch {
            logger.warning(
                "could not check the bucket for newer index bundles; using the local index",
                metadata: ["user": "\(name)", "error": "\(error)"])
        }
    }

    private func load(_ name: String, userdb: UserdbLocation?) async throws -> MailUser {
        await evicting[name]?.value
        var location = userdb
        if location == nil, let locate = userLocator.withLock({ $0 }) {
            do {
                location = try await locate(name)
            } catch {
                throw StorageError.index(IndexFailure(.unavailable(user: name, detail: "userdb lookup failed: \(error)")))
            }
        }
        let layout: UserLayout
        do {
            layout = try configuration.layout(for: name, userdb: location ?? UserdbLocation())
        } catch {
            throw StorageError.notAllowed(user: name, mailbox: "", reason: "bad mail_home or mail_location: \(error)")
        }
        try await makeRoom(for: name, home: layout.home)
        let store = try storeForUser(layout)
        let indexStore = try indexStoreForUser?(layout)
        let isLocal = FileManager.default.fileExists(atPath: (layout.home as NSString).appendingPathComponent(UserIndex.fileName))
        let wasDirty = DirtyMarker.isSet(home: layout.home)
        do {
            try DirtyMarker.set(home: layout.home, user: name)
        } catch {
            let detail = "cannot write \(DirtyMarker.path(home: layout.home)): \(error)"
            throw StorageError.index(IndexFailure(.unavailable(user: name, detail: detail)))
        }
        let user = try MailUser(name: name, layout: layout, store: store, indexStore: indexStore, configuration: configuration, logger: logger)
        homes[name] = layout.home
        if indexStore != nil {
            if !isLocal {
                try await user.loadFromBucket()
            } else if wasDirty {
                logger.warning(
                    "the last backend process did not shut down cleanly with this user open: revalidating the index",
                    metadata: ["user": "\(name)"])
                try await user.revalidate(reason: "unclean shutdown")
            } else {
                await checkForOtherBackends(name, user, force: true)
            }
        }
        try await user.prepare()
        return user
    }

    /// Uploads every active user's changes (Dovecot's `metacache flushall`). Returns the users
    /// whose upload failed.
    @discardableResult
    public func flushAll() async -> [String] {
        var failed: [String] = []
        for (name, user) in active {
            do {
                try await user.flush()
            } catch {
                failed.append(name)
                logger.error("flushing the index failed", metadata: ["user": "\(name)", "error": "\(error)"])
            }
        }
        return failed
    }

    /// Clean shutdown: uploads every change and clears the dirty markers of the users whose
    /// upload succeeded, so the next start trusts their local indexes.
    public func shutdown() async {
        let failed = Set(await flushAll())
        for (name, user) in active where !failed.contains(name) {
            DirtyMarker.clear(home: user.layout.home)
        }
    }

    /// Flushes a user's index to the bucket and forgets the user (another backend may take over).
    public func unload(_ name: String) async throws {
        guard let user = active.removeValue(forKey: name) else { return }
        do {
            try await user.flush()
        } catch {
            active[name] = user
            throw error
        }
        DirtyMarker.clear(home: user.layout.home)
        lastAccess[name] = nil
    }
}
