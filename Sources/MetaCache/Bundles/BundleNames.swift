import Foundation

/// obox's bundle names: `bundle.<secs-hex>.<usecs-hex>.<unique>`, unique so that two backends
/// never overwrite each other, fixed-width so that names sort by time. The unique part starts
/// with `b` for a base and `d` for a diff, so a loader finds the newest base from a listing.
public enum BundleNames {
    public static func make(base: Bool, now: Date = Date()) -> String {
        let seconds = now.timeIntervalSince1970
        let whole = UInt32(clamping: Int64(seconds))
        let micros = UInt32(max(0, min(999_999, (seconds - Double(whole)) * 1_000_000)))
        let unique = UInt32.random(in: .min ... .max)
        return String(format: "bundle.%08x.%05x.%@%08x", whole, micros, base ? "b" : "d", unique)
    }

    /// Identifies this backend process in the root bundles it writes (host name and a random part).
    public static let processWriterID: String = {
        "\(ProcessInfo.processInfo.hostName)-\(String(UInt32.random(in: .min ... .max), radix: 16))"
    }()

    public static func isBase(_ name: String) -> Bool {
        name.split(separator: ".").last?.first == "b"
    }

    public static func isBundle(_ name: String) -> Bool { name.hasPrefix("bundle.") }

    /// `<prefix>/mailboxes/<guid>/idx/`
    public static func mailboxDirectory(prefix: String, guid: String) -> String {
        join(prefix, "mailboxes/\(guid)/idx/")
    }

    /// `<prefix>/idx/`
    public static func rootDirectory(prefix: String) -> String { join(prefix, "idx/") }

    /// `<prefix>/mailboxes/`
    public static func mailboxesDirectory(prefix: String) -> String { join(prefix, "mailboxes/") }

    static func join(_ prefix: String, _ rest: String) -> String { prefix.isEmpty ? rest : "\(prefix)/\(rest)" }

    /// The inverse of `join`: a bucket key relative to the user's prefix, as index rows store it.
    public static func relativeKey(_ key: String, prefix: String) -> String {
        String(key.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1))
    }
}

/// What the index remembers about a mailbox's last upload: what a diff must follow and when the
/// next base is due.
struct BundleState: Equatable {
    var lastName: String
    var lastModSeq: Int64
    var lastUIDNext: UInt32
    var baseBytes: Int
    var diffBytes: Int
    var diffCount: Int

    var encoded: String { "\(lastName) \(lastModSeq) \(lastUIDNext) \(baseBytes) \(diffBytes) \(diffCount)" }

    init(lastName: String, lastModSeq: Int64, lastUIDNext: UInt32, baseBytes: Int, diffBytes: Int, diffCount: Int) {
        self.lastName = lastName
        self.lastModSeq = lastModSeq
        self.lastUIDNext = lastUIDNext
        self.baseBytes = baseBytes
        self.diffBytes = diffBytes
        self.diffCount = diffCount
    }

    init?(_ text: String) {
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count == 6, let modSeq = Int64(parts[1]), let uidNext = UInt32(parts[2]), let base = Int(parts[3]),
            let diff = Int(parts[4]), let count = Int(parts[5])
        else { return nil }
        self.init(lastName: parts[0], lastModSeq: modSeq, lastUIDNext: uidNext, baseBytes: base, diffBytes: diff, diffCount: count)
    }

    static func key(_ guid: String) -> String { "bundle:\(guid)" }
    static let rootKey = "bundle:root"
}
