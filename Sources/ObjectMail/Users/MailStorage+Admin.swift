import Foundation
import MetaCache

/// What `objectmail metacache list|status|flush|clean|rescan` act on in a running server.
extension MailStorage {
    public struct UserStatus: Sendable, Equatable, Codable {
        public var user: String
        public var home: String
        public var bytes: Int64
        /// Seconds since the last access by this process (nil: not opened since it started).
        public var idleSeconds: Double?
        public var active: Bool
        /// The dirty marker is set: the user is open, or the process that had it open died.
        public var dirty: Bool
    }

    /// Every user this process opened, most recently used first.
    public func status() -> [UserStatus] {
        let now = ContinuousClock.now
        return homes.map { name, home in
            let idle = lastAccess[name].map { now - $0 }.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
            return UserStatus(
                user: name, home: home, bytes: Self.diskUsage(home: home), idleSeconds: idle,
                active: active[name] != nil, dirty: DirtyMarker.isSet(home: home))
        }.sorted { ($0.idleSeconds ?? .infinity, $0.user) < ($1.idleSeconds ?? .infinity, $1.user) }
    }

    /// Uploads one user's index changes now (`metacache flush -u USER`); false if not open here.
    public func flush(_ name: String) async throws -> Bool {
        guard let user = active[name] else { return false }
        try await user.flush()
        return true
    }

    /// Uploads the user's index, then deletes it from local disk (`metacache clean -u USER`). The
    /// next access loads it from the bucket. Refused while a session uses the user.
    public func clean(_ name: String) async throws -> Bool {
        if homes[name] == nil, let layout = try? configuration.layout(for: name) { homes[name] = layout.home }
        return await evict(name)
    }

    /// Revalidates the user's local index against the bucket now (`metacache rescan -u USER`):
    /// lists every folder, adopts objects the index lacks, drops rows whose objects are gone.
    public func rescan(_ name: String) async throws -> IndexLoader.Report {
        try await user(name).revalidate(reason: "rescan requested")
    }
}
