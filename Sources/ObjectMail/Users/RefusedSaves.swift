import Foundation

/// The objects of saves that were answered with a failure (`objectmail.refused` in the user's metacache directory).
///
/// A client told that its APPEND or delivery failed sends the message again (an MTA retries a 451), so the
/// first attempt's object must never become mail: not by the rescan adopting it, and not later, when a PUT that
/// timed out here completes at a stalled S3 server after all. Such a key is recorded here before the failure is
/// answered; the rescan never adopts a recorded key, and the user deletes it (`retireRefusedSaves`). An entry
/// stays until a DELETE has succeeded after `settledAfter`: right away for an object known to exist (its PUT
/// succeeded and the index write failed), only after `lateCompletionHorizon` for a PUT whose outcome is unknown.
struct RefusedSaves: Sendable {
    struct Entry: Sendable, Equatable {
        /// The key relative to the user's prefix, as in the index.
        var key: String
        /// A DELETE from this time on is the last one the key needs.
        var settledAfter: Date
    }

    /// How long a PUT that failed here may still complete at the server: every request has timed out on our side
    /// by then, and an S3 server does not keep a request for longer (a stalled one was seen finishing after 160 s).
    static let lateCompletionHorizon: TimeInterval = 15 * 60
    static let fileName = "objectmail.refused"

    private(set) var entries: [String: Entry] = [:]
    private let path: String

    /// Reads the entries a previous process left (an unreadable file is an empty ledger: nothing to retire).
    init(home: String) {
        path = (home as NSString).appendingPathComponent(Self.fileName)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " "), let seconds = Double(line[..<space]) else { continue }
            let key = String(line[line.index(after: space)...])
            entries[key] = Entry(key: key, settledAfter: Date(timeIntervalSince1970: seconds))
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    func contains(_ key: String) -> Bool { entries[key] != nil }

    /// Records keys before the failure is answered. The file is written and synced; when that fails (a full disk)
    /// the entries still hold for this process, which is where the keys' rescans and deletes happen.
    @discardableResult
    mutating func add(_ keys: [String], settledAfter: Date) -> Bool {
        for key in keys { entries[key] = Entry(key: key, settledAfter: max(settledAfter, entries[key]?.settledAfter ?? .distantPast)) }
        return save()
    }

    /// Drops the keys whose last needed DELETE succeeded.
    mutating func settle(_ keys: [String]) {
        guard keys.contains(where: { entries[$0] != nil }) else { return }
        for key in keys { entries[key] = nil }
        save()
    }

    @discardableResult
    private func save() -> Bool {
        if entries.isEmpty {
            return unlink(path) == 0 || errno == ENOENT
        }
        let text = entries.values.sorted { $0.key < $1.key }
            .map { "\(Int64($0.settledAfter.timeIntervalSince1970.rounded(.up))) \($0.key)\n" }.joined()
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        // Whatever mail_fsync says: a refused key forgotten after a power loss could be adopted as mail the client
        // was told was not saved. Written only when a save is refused or a refused key settles.
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
