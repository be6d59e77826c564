import Foundation

/// `objectmail.dirty` in a user's metacache directory: written when a backend opens the user and
/// removed only after the index was uploaded at unload or clean shutdown. Finding it when opening
/// a local index means the last backend process died with the user open (kill -9, power loss):
/// the index is revalidated against the bucket before use.
enum DirtyMarker {
    static let fileName = "objectmail.dirty"
    static let ownerFileName = "objectmail.user"

    static func path(home: String) -> String { (home as NSString).appendingPathComponent(fileName) }

    static func isSet(home: String) -> Bool { FileManager.default.fileExists(atPath: path(home: home)) }

    /// Written (and synced) before the user's first change, so a crash after it is always noticed.
    static func set(home: String, user: String) throws {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        // Whose index this is, for `objectmail metacache list` on a stopped server.
        let owner = (home as NSString).appendingPathComponent(ownerFileName)
        if !FileManager.default.fileExists(atPath: owner) { try Data(user.utf8).write(to: URL(fileURLWithPath: owner)) }
        let text = "pid \(ProcessInfo.processInfo.processIdentifier) since \(Int(Date().timeIntervalSince1970))\n"
        let descriptor = open(path(home: home), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path(home: home)]) }
        defer { close(descriptor) }
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        // Whatever mail_fsync says: a marker lost to a power loss would let the next start trust an index that lost
        // its last commits. One sync per user load.
        fsync(descriptor)
    }

    /// The process that wrote the marker, if it still runs: a live server has the user open.
    static func livingOwner(home: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path(home: home), encoding: .utf8),
            let pid = text.split(separator: " ").dropFirst().first.flatMap({ Int32($0) }),
            pid != ProcessInfo.processInfo.processIdentifier, kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    static func clear(home: String) {
        unlink(path(home: home))
    }
}
