import Foundation
import MetaCache

/// metacache_max_space / metacache_max_grace: the local disk the users' indexes may take.
extension MailStorage {
    /// Bytes of the metacache files in one user's directory (index database, WAL, marker).
    nonisolated static func diskUsage(home: String) -> Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: home)) ?? []
        return names.filter { $0.hasPrefix("objectmail.") }.reduce(Int64(0)) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: (home as NSString).appendingPathComponent(name))
            return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Local disk used by the users this process opened.
    public func metacacheUsage() -> Int64 {
        homes.values.reduce(0) { $0 + Self.diskUsage(home: $1) }
    }

    /// Before a new user is opened: above `metacache_max_space`, the least recently used users
    /// that no session holds (and not accessed within `metacache_close_delay`) are flushed to the
    /// bucket and removed from local disk. If that cannot bring the usage under
    /// `metacache_max_space + metacache_max_grace`, the new user is refused.
    func makeRoom(for name: String, home: String) async throws {
        let limits = configuration.metacache
        guard limits.maxSpace > 0 else { return }
        var used = metacacheUsage()
        guard used > limits.maxSpace else { return }
        let now = ContinuousClock.now
        let candidates = homes.keys.filter { $0 != name && lastAccess[$0].map { now - $0 > limits.closeDelay } ?? true }
            .sorted { (lastAccess[$0] ?? now) < (lastAccess[$1] ?? now) }
        for candidate in candidates where used > limits.maxSpace {
            if await evict(candidate) { used = metacacheUsage() }
        }
        if used > limits.maxSpace + limits.maxGrace {
            logger.error(
                "metacache full: login refused",
                metadata: [
                    "user": "\(name)", "used": "\(used)",
                    "max_space": "\(limits.maxSpace)", "max_grace": "\(limits.maxGrace)"
                ])
            throw StorageError.notAllowed(
                user: name, mailbox: "",
                reason:
                    "metacache full: \(used) bytes used, above metacache_max_space + metacache_max_grace (\(limits.maxSpace + limits.maxGrace)); "
                    + "users still in use cannot be evicted, try again later")
        }
    }

    /// Flushes one user's index to the bucket and deletes it from local disk, unless a session
    /// still holds the user. Returns whether the user was evicted.
    @discardableResult
    func evict(_ name: String) async -> Bool {
        guard let home = homes[name] else { return false }
        if var user = active.removeValue(forKey: name) {
            // Only this table refers to the actor: no session, delivery or command is using it.
            guard isKnownUniquelyReferenced(&user) else {
                active[name] = user
                return false
            }
            let task = Task { [logger] () -> Bool in
                do {
                    try await user.flush()
                    return true
                } catch {
                    logger.error("evicting: flushing the index failed; kept", metadata: ["user": "\(name)", "error": "\(error)"])
                    return false
                }
            }
            evicting[name] = Task { _ = await task.value }
            defer { evicting[name] = nil }
            guard await task.value else {
                active[name] = user
                return false
            }
        } else if DirtyMarker.isSet(home: home) {
            // Opened by a process that died and not reopened since: its changes were never
            // uploaded, so it stays until the user's next login revalidates and uploads it.
            return false
        }
        Self.removeIndex(home: home)
        homes[name] = nil
        lastAccess[name] = nil
        logger.info("user evicted from the metacache", metadata: ["user": "\(name)"])
        return true
    }

    /// Deletes a user's local index files (the bucket keeps the uploaded bundles).
    nonisolated static func removeIndex(home: String) {
        for suffix in ["", "-wal", "-shm"] {
            unlink((home as NSString).appendingPathComponent(UserIndex.fileName + suffix))
        }
        DirtyMarker.clear(home: home)
    }
}
