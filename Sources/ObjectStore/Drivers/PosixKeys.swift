/// Maps object keys to paths under a posix root, refusing keys that could escape it.
struct PosixKeys: Sendable {
    let root: String
    /// Temporary files live here (same file system as the objects, so rename is atomic);
    /// listing skips it and no key may start with it.
    static let temporaryDirectoryName = ".objectmail-tmp"

    var temporaryDirectory: String { root + "/" + Self.temporaryDirectoryName }

    func path(for key: String) throws -> String {
        try Self.validate(key: key)
        return root + "/" + key
    }

    /// Keys are relative `/`-separated paths: no leading `/`, no empty, `.` or `..` component, no NUL.
    static func validate(key: String) throws {
        let components = key.split(separator: "/", omittingEmptySubsequences: false)
        let valid =
            !key.isEmpty && !key.utf8.contains(0) && components.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
            && components.first != Substring(temporaryDirectoryName)
        if !valid {
            throw ObjectStoreError.rejected(
                key: key, status: 400, code: "InvalidKey",
                message: "keys must be relative paths without empty, '.' or '..' components",
                requestID: nil)
        }
    }

    /// A listing prefix may end in the middle of a component, but must not climb out of the root.
    static func validate(prefix: String) throws {
        guard !prefix.hasPrefix("/"), !prefix.utf8.contains(0),
            !prefix.split(separator: "/").contains(where: { $0 == ".." || $0 == "." })
        else {
            throw ObjectStoreError.rejected(
                key: prefix, status: 400, code: "InvalidPrefix",
                message: "listing prefixes must be relative paths", requestID: nil)
        }
    }
}
