/// Listing for the posix driver: S3 ListObjectsV2 semantics over a directory tree.
///
/// S3 orders keys by their UTF-8 bytes, which a directory walk does not give ("a-b" sorts before
/// "a/b"), so matching keys are collected first and sorted. Only the directory the prefix points
/// into is walked, and with the delimiter "/" subdirectories are rolled up without being entered.
struct PosixListing {
    let root: String
    let prefix: String
    let delimiter: String?

    /// Every matching key, and every rolled-up common prefix, in S3 order.
    func entries() throws -> [ListEntry] {
        let slash = prefix.lastIndex(of: "/")
        let directoryPart = slash.map { String(prefix[...$0]) } ?? ""
        let namePrefix = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        var found: [ListEntry] = []
        try walk(directoryPart, namePrefix: namePrefix, into: &found)
        var rolled: [ListEntry] = []
        var seenPrefixes = Set<String>()
        for entry in found {
            if case .object(let key) = entry, let common = commonPrefix(of: key) {
                if seenPrefixes.insert(common).inserted { rolled.append(.commonPrefix(common)) }
            } else if case .commonPrefix(let common) = entry {
                if seenPrefixes.insert(common).inserted { rolled.append(entry) }
            } else {
                rolled.append(entry)
            }
        }
        return rolled.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    private func commonPrefix(of key: String) -> String? {
        guard let delimiter, !delimiter.isEmpty else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let found = rest.range(of: delimiter) else { return nil }
        return prefix + rest[..<found.upperBound]
    }

    private func walk(_ relative: String, namePrefix: String, into found: inout [ListEntry]) throws {
        let directory = relative.isEmpty ? root : root + "/" + relative.dropLast()
        for (name, isDirectory) in try FileSystem.entries(of: directory) {
            if relative.isEmpty && name == PosixKeys.temporaryDirectoryName { continue }
            guard name.hasPrefix(namePrefix) else { continue }
            let key = relative + name
            if isDirectory {
                if delimiter == "/" && key.count >= prefix.count {
                    // Rolled up without walking it, as long as it still holds an object.
                    if try containsObject(root + "/" + key) { found.append(.commonPrefix(key + "/")) }
                } else {
                    try walk(key + "/", namePrefix: "", into: &found)
                }
            } else {
                found.append(.object(key))
            }
        }
    }

    /// Empty directories can linger after deletes in other processes; S3 would not show them.
    private func containsObject(_ directory: String) throws -> Bool {
        for (name, isDirectory) in try FileSystem.entries(of: directory) {
            if try !isDirectory || containsObject(directory + "/" + name) { return true }
        }
        return false
    }
}

enum ListEntry {
    case object(String)
    case commonPrefix(String)

    var name: String {
        switch self {
        case .object(let key): return key
        case .commonPrefix(let prefix): return prefix
        }
    }
}
