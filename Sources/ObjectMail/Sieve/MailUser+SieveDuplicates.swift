import Crypto
import Foundation
import Primitives

/// What Sieve remembers for a while per user, as Pigeonhole's `~/.dovecot.lda-dupes` does: ids the duplicate test
/// saw (RFC 7352) and forwards already made (`duplicate`), senders a vacation response went to (`vacation`).
public enum SieveTracking: String, Sendable {
    case duplicate, vacation

    /// Index state keys `sieve-duplicate:HASH` / `sieve-vacation:HASH` → the second the entry expires.
    var prefix: String { "sieve-\(rawValue):" }
}

/// The Sieve tracking databases, kept with the user's other state: index state keys that travel in the root index
/// bundle, so what one backend saw or answered counts on every other (a merge keeps both backends' entries). At most
/// `maxSieveDuplicates` entries of a kind are kept (those expiring last): the root bundle is uploaded after every
/// marking and must stay small.
extension MailUser {
    public static let maxSieveDuplicates = 1000

    /// The hashes (`sieveDuplicateHash`) of the ids seen and not yet expired.
    public func sieveDuplicates(_ kind: SieveTracking = .duplicate, now: Date = Date()) async throws -> Set<String> {
        let entries = try await mapErrors { try await index.states(withPrefix: kind.prefix) }
        let second = Int64(now.timeIntervalSince1970)
        return Set(entries.compactMap { key, value in (Int64(value) ?? 0) > second ? String(key.dropFirst(kind.prefix.count)) : nil })
    }

    /// Remembers ids for their periods (after a delivery whose scripts tested them succeeded, after a forward or a
    /// response was sent), dropping expired entries and, beyond the limit, those expiring first.
    public func markSieveDuplicates(_ marks: [(id: String, seconds: Int)], _ kind: SieveTracking = .duplicate, now: Date = Date()) async throws {
        guard !marks.isEmpty else { return }
        let second = Int64(now.timeIntervalSince1970)
        var entries = try await mapErrors { try await index.states(withPrefix: kind.prefix) }
            .compactMapValues { Int64($0) }
        let before = entries
        entries = entries.filter { $0.value > second }
        for mark in marks {
            let key = kind.prefix + Self.sieveDuplicateHash(mark.id)
            entries[key] = max(entries[key] ?? 0, second + Int64(max(0, mark.seconds)))
        }
        if entries.count > Self.maxSieveDuplicates {
            for (key, _) in entries.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }).prefix(entries.count - Self.maxSieveDuplicates) {
                entries[key] = nil
            }
        }
        for key in before.keys where entries[key] == nil {
            try await mapErrors { try await index.setState(key, nil) }
        }
        for (key, expiry) in entries where before[key] != expiry {
            try await mapErrors { try await index.setState(key, String(expiry)) }
        }
        scheduleUpload()
    }

    /// The key of an id: fixed length whatever the id (a message id, a :uniqueid string of a script).
    public static func sieveDuplicateHash(_ id: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(id.utf8))))
    }
}
