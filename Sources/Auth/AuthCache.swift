import Crypto
import Foundation

/// An LRU cache of login results keyed by user and a keyed hash of the password, so a repeated
/// login with the right password succeeds without running crypt again, and a repeated wrong one fails as fast.
/// The password itself is never stored: only HMAC-SHA256 under a key made at start-up.
actor AuthCache {
    struct Entry {
        var result: AuthResult
        var expires: Double
        var cost: Int
        var newer: String?
        var older: String?
    }

    private let capacity: Int
    private let ttl: Double
    private let negativeTTL: Double
    private let secret = SymmetricKey(size: .bits256)
    private var entries: [String: Entry] = [:]
    private var newest: String?
    private var oldest: String?
    private var used = 0
    private(set) var hits = 0

    /// capacity in bytes (auth_cache_size), times in seconds.
    init(capacity: Int, ttl: Double, negativeTTL: Double) {
        self.capacity = capacity
        self.ttl = ttl
        self.negativeTTL = negativeTTL
    }

    nonisolated func key(user: String, masterUser: String?, service: String, password: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(password.utf8), using: secret)
        return "\(service)\u{0}\(user)\u{0}\(masterUser ?? "")\u{0}" + Data(mac).base64EncodedString()
    }

    func lookup(_ key: String, now: Double) -> AuthResult? {
        guard let entry = entries[key] else { return nil }
        guard entry.expires > now else {
            remove(key)
            return nil
        }
        unlink(key)
        linkNewest(key)
        hits += 1
        return entry.result
    }

    /// Successes and definite failures are kept; temporary failures never are.
    func store(_ result: AuthResult, for key: String, now: Double) {
        let lifetime: Double
        switch result {
        case .success: lifetime = ttl
        case .failure: lifetime = negativeTTL
        case .temporaryFailure: return
        }
        guard lifetime > 0 else { return }
        remove(key)
        let cost = Self.cost(of: result, key: key)
        guard cost <= capacity else { return }
        while used + cost > capacity, let victim = oldest { remove(victim) }
        entries[key] = Entry(result: result, expires: now + lifetime, cost: cost)
        used += cost
        linkNewest(key)
    }

    var count: Int { entries.count }

    /// A rough memory estimate: the strings plus fixed overhead per entry.
    private static func cost(of result: AuthResult, key: String) -> Int {
        var bytes = 128 + key.utf8.count
        if case .success(let success) = result {
            bytes += success.user.utf8.count
            for (name, value) in success.passdbFields.merging(success.userdb.fields, uniquingKeysWith: { a, _ in a }) {
                bytes += name.utf8.count + value.utf8.count + 32
            }
        }
        return bytes
    }

    private func remove(_ key: String) {
        guard let entry = entries[key] else { return }
        unlink(key)
        used -= entry.cost
        entries[key] = nil
    }

    private func unlink(_ key: String) {
        guard let entry = entries[key] else { return }
        if let newer = entry.newer { entries[newer]?.older = entry.older } else { newest = entry.older }
        if let older = entry.older { entries[older]?.newer = entry.newer } else { oldest = entry.newer }
        entries[key]?.newer = nil
        entries[key]?.older = nil
    }

    private func linkNewest(_ key: String) {
        entries[key]?.older = newest
        entries[key]?.newer = nil
        if let newest { entries[newest]?.newer = key }
        newest = key
        if oldest == nil { oldest = key }
    }
}
