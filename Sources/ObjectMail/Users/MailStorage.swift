import Foundation
import Logging
import ObjectStore

/// The storage of the whole process: one `MailUser` actor per active user, shared by every
/// session of that user, and the object store each user's mail lives in.
public actor MailStorage {
    public typealias StoreForUser = @Sendable (_ layout: UserLayout) throws -> any ObjectStore

    public nonisolated let configuration: StorageConfiguration
    let storeForUser: StoreForUser
    let logger: Logger
    private var active: [String: MailUser] = [:]
    /// Users being loaded: concurrent first requests (parallel LMTP deliveries) wait for the same
    /// load, so one user never gets two actors and two index connections racing to create INBOX.
    private var loading: [String: Task<MailUser, any Error>] = [:]

    /// `storeForUser` builds (or shares) the user's `obox_fs` pipeline.
    public init(configuration: StorageConfiguration, logger: Logger, storeForUser: @escaping StoreForUser) {
        self.configuration = configuration
        self.storeForUser = storeForUser
        self.logger = logger
    }

    /// The user's actor, loaded and prepared on first use.
    public func user(_ name: String) async throws -> MailUser {
        if let user = active[name] { return user }
        if let load = loading[name] { return try await load.value }
        let load = Task { try await self.load(name) }
        loading[name] = load
        defer { loading[name] = nil }
        let user = try await load.value
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
        let user = try MailUser(name: name, layout: layout, store: store, configuration: configuration, logger: logger)
        try await user.prepare()
        return user
    }
}
