/// Dovecot's `mail_fsync`: how far the files this server keeps for itself on local disk (each user's metacache
/// index, fscache entries) are synced. Mail itself is durable when the object store acknowledged it, so no mode
/// here decides whether a save is kept; the modes trade sync calls against what a machine crash costs the caches.
/// Defined here, below both caches (FSCache and MetaCache), so each gets this small value rather than the settings.
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// Every index commit and every fscache entry is on disk before it counts as written.
    case always
    /// Dovecot's default: no sync per write; what a crash can leave is bounded and detected (see docs/configuration.md).
    case optimized
    /// No sync calls by the caches at all.
    case never
}
