import Foundation
import MetaCache

/// The users' indexes on local disk, found without a running server: every directory under the
/// fixed start of `mail_home` (the part before its first %-variable) that holds an index.
public struct MetacacheEntry: Sendable, Equatable, Codable {
    public var user: String
    public var home: String
    public var bytes: Int64
    /// The dirty marker is set: the server has the user open, or died with it open.
    public var dirty: Bool
    /// The running process that has the user open (its marker names it), if any.
    public var openBy: Int32?
}

public enum MetacacheDirectory {
    /// The directory every user's `mail_home` lies under.
    public static func root(homeTemplate: String) -> String {
        let fixed = homeTemplate.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let directory = fixed.hasSuffix("/") ? String(fixed.dropLast()) : (fixed as NSString).deletingLastPathComponent
        let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        return (absolute as NSString).standardizingPath
    }

    public static func scan(homeTemplate: String) -> [MetacacheEntry] {
        let root = root(homeTemplate: homeTemplate)
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var entries: [MetacacheEntry] = []
        while let relative = walker.nextObject() as? String {
            guard (relative as NSString).lastPathComponent == UserIndex.fileName else { continue }
            let home = (root as NSString).appendingPathComponent((relative as NSString).deletingLastPathComponent)
            let owner = try? String(contentsOfFile: (home as NSString).appendingPathComponent(DirtyMarker.ownerFileName), encoding: .utf8)
            entries.append(
                MetacacheEntry(
                    user: owner ?? (home as NSString).lastPathComponent, home: home,
                    bytes: MailStorage.diskUsage(home: home), dirty: DirtyMarker.isSet(home: home),
                    openBy: DirtyMarker.livingOwner(home: home)))
        }
        return entries.sorted { $0.user < $1.user }
    }
}
