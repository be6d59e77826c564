import Foundation
import Logging
import MetaCache
import ObjectStore

/// The storage of the whole process: one `MailUser` actor per active user, shared by every
/// session of that user, and the object stores each user's mail and index bundles live in.
public actor MailStorage {
    public typealias StoreForUser = @Sendable (_ layout: UserLayout) throws -> any ObjectStore

    public nonisolated let configuration: StorageConfiguration
    let storeForUser: StoreForUser
    let indexStoreForUser: StoreForUser?
    let logger: Logger
    private var active: [String: MailUser] = [:]
    /// Users being loaded: concurrent first requests (parallel LMTP deliveries) wait for the same
    /// load, so one user never gets two actors and two index connections racing to create INBOX.
    private var loading: [String: Task<MailUser, any Error>] = [:]

    /// `storeForUser` builds (or shares) the user's `obox_fs` pipeline, `indexStoreForUser` the
    /// `obox_index_fs` one; without it indexes stay local (tests, tools).
    public init(configuration: StorageConfiguration, logger: Logger, storeForUser: @escaping StoreForUser,
                indexStoreForUser: StoreForUser? = nil) {
        self.configuration = configuration
        self.storeForUser = storeForUser
        self.indexStoreForUser = indexStoreForUser
        self.logger = logger
    }

    /// The user's actor, loaded and prepared on first use. A user this backend has no local
    /// index for is loaded from the bucket: the newest bundles, then the objects saved after them.
    public func user(_ name: String) async throws -> MailUser {
        if let user = active[name] { return user }
        if let pending = loading[name] { return try await pending.value }
        let task = Task { try await load(name) }
        loading[name] = task
        defer { loading[name] = nil }
        let user = try await task.value
        active[name] = user
        return user
    }

    private func load(_ name: String) async throws -> MailUser {
        let layout: UserLayout
        do {
            layout = try configuration.layout(for: name)
        } catch {
            throw StorageError.notAllowed(user: name, mailbox: "", reason: "bad mail_home or mail_location: \(error)")
        }
        let store = try storeForUser(layout)
        let indexStore = try indexStoreForUser?(layout)
        let isLocal = FileManager.default.fileExists(atPath: (layout.home as NSString).appendingPathComponent(UserIndex.fileName))
        let user = try MailUser(name: name, layout: layout, store: store, indexStore: indexStore, configuration: configuration, logger: logger)
        if !isLocal, let indexStore {
            let start = ContinuousClock.now
            let report: IndexLoader.Report
            do {
                report = try await IndexLoader(store: indexStore, prefix: layout.prefix, logger: logger).load(into: user.index)
            } catch let error as ObjectStoreError {
                throw StorageError.store(user: name, error)
            } catch let error as IndexError {
                throw StorageError.index(error)
            } catch let error as BundleError {
                throw StorageError.index(.database(user: name, detail: error.description))
            }
            let adopted = try await user.adopt(report)
            let elapsed = ContinuousClock.now - start
            logger.info("user loaded from the bucket", metadata: [
                "user": "\(name)", "bundles": "\(report.bundlesRead)", "adopted": "\(adopted)",
                "broken": "\(report.brokenChains.count)", "elapsed": "\(elapsed)",
            ])
        }
        try await user.prepare()
        return user
    }

    /// Uploads every active user's changes (clean shutdown: Dovecot's `metacache flushall`).
    public func flushAll() async {
        for (name, user) in active {
            do {
                try await user.flush()
            } catch {
                logger.error("flushing the index failed", metadata: ["user": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Flushes a user's index to the bucket and forgets the user (another backend may take over).
    public func unload(_ name: String) async throws {
        guard let user = active.removeValue(forKey: name) else { return }
        try await user.flush()
    }
}
