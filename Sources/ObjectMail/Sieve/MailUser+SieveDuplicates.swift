import Crypto
import Foundation
import Primitives

/// The Sieve duplicate extension's database (RFC 7352; Pigeonhole's `~/.dovecot.lda-dupes`), kept with the user's
/// other state: index state keys `sieve-duplicate:HASH` → the second the entry expires, which travel in the root
/// index bundle, so a message seen on one backend is a duplicate on every other. At most `maxSieveDuplicates`
/// entries are kept (those expiring last): the root bundle is uploaded after every marking and must stay small.
extension MailUser {
    static let sieveDuplicatePrefix = "sieve-duplicate:"
    public static let maxSieveDuplicates = 1000

    /// The hashes (`sieveDuplicateHash`) of the ids seen and not yet expired.
    public func sieveDuplicates(now: Date = Date()) async throws -> Set<String> {
        let entries = try await mapErrors { try await index.states(withPrefix: Self.sieveDuplicatePrefix) }
        let second = Int64(now.timeIntervalSince1970)
        return Set(entries.compactMap { key, value in (Int64(value) ?? 0) > second ? String(key.dropFirst(Self.sieveDuplicatePrefix.count)) : nil })
    }

    /// Remembers ids for their periods (after a delivery whose scripts tested them succeeded), dropping expired
    /// entries and, beyond the limit, those expiring first.
    public func markSieveDuplicates(_ marks: [(id: String, seconds: Int)], now: Date = Date()) async throws {
        guard !marks.isEmpty else { return }
        let second = Int64(now.timeIntervalSince1970)
        var entries = try await mapErrors { try await index.states(withPrefix: Self.sieveDuplicatePrefix) }
            .compactMapValues { Int64($0) }
        let before = entries
        entries = entries.filter { $0.value > second }
        for mark in marks {
            let key = Self.sieveDuplicatePrefix + Self.sieveDuplicateHash(mark.id)
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
