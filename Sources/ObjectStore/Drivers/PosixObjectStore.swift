import Foundation
import Logging
import Primitives

#if canImport(Glibc)
    import Glibc
#endif

/// The `posix` driver: objects as files under a local folder (the embedded default).
///
/// - Writes go to a temporary file on the same file system, are fsynced, then renamed into place
///   (create-only: linked, which fails atomically if the key exists), and the directory is fsynced:
///   an acknowledged put survives a crash, and readers never see a partial object.
/// - Metadata travels inside the file, in a trailer after the data (see `ObjectFile`).
/// - Every blocking call runs on `BlockingPool.fileIO`, never on Swift concurrency's cooperative threads.
public final class PosixObjectStore: ObjectStore {
    public let root: String
    private let keys: PosixKeys
    private let io: BlockingPool
    private let syncWrites: Bool
    private let logger: Logger

    public var description: String { "posix:\(root)" }

    /// - Parameter syncWrites: fsync data and directory on every write (turn off only for scratch stores).
    public init(root: String, syncWrites: Bool = true, logger: Logger = Logger(label: "objectmail.objectstore.posix")) {
        let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.root = trimmed
        self.keys = PosixKeys(root: trimmed)
        self.io = .fileIO
        self.syncWrites = syncWrites
        self.logger = logger
    }

    public func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
        let path = try keys.path(for: key)
        let trailer = ObjectFileTrailer(metadata: options.metadata, contentType: options.contentType)
        try await run(key) { [keys, syncWrites] in
            try FileSystem.makeDirectories(keys.temporaryDirectory)
            let temporary = keys.temporaryDirectory + "/" + FileSystem.temporaryName()
            try ObjectFile.write(to: temporary, body: body, trailer: trailer, sync: syncWrites)
            defer { try? FileSystem.removeFile(temporary) }
            try Self.place(temporary, at: path, createOnly: options.createOnly, key: key, sync: syncWrites)
        }
    }

    public func get(_ key: String, range: ByteRange?) async throws -> StoredObject {
        let path = try keys.path(for: key)
        return try await run(key) {
            let fd = try FileDescriptor.open(path, flags: O_RDONLY)
            let header = try ObjectFile.readHeader(fd, wholeFileLimit: range == nil ? 256 * 1024 : 0)!
            let positions = try (range ?? ByteRange(offset: 0)).resolve(size: header.dataLength, key: key)
            return StoredObject(info: header.info(key: key), body: try ObjectFile.readData(fd, header: header, positions: positions))
        }
    }

    public func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        let source = try keys.path(for: key)
        return try await run(key) {
            let fd = try FileDescriptor.open(source, flags: O_RDONLY)
            let header = try ObjectFile.readHeader(fd)!
            let positions = try (range ?? ByteRange(offset: 0)).resolve(size: header.dataLength, key: key)
            try ObjectFile.copyData(of: fd, range: positions, to: path)
            return header.info(key: key)
        }
    }

    public func stat(_ key: String) async throws -> ObjectInfo {
        let path = try keys.path(for: key)
        return try await run(key) {
            let fd = try FileDescriptor.open(path, flags: O_RDONLY)
            return try ObjectFile.readHeader(fd)!.info(key: key)
        }
    }

    public func delete(_ key: String) async throws {
        let path = try keys.path(for: key)
        try await run(key) { [root] in
            try FileSystem.removeFile(path)
            Self.pruneEmptyDirectories(above: path, root: root)
        }
    }

    public func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
        let paths = keys.map { key in Result { try self.keys.path(for: key) } }
        return try await io.run { [root] in
            var failures: [BulkDeleteFailure] = []
            for (key, path) in zip(keys, paths) {
                do {
                    let path = try path.get()
                    try FileSystem.removeFile(path)
                    Self.pruneEmptyDirectories(above: path, root: root)
                } catch {
                    failures.append(BulkDeleteFailure(key: key, code: "InternalError", message: "\(error)"))
                }
            }
            return failures
        }
    }

    public func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        let sourcePath = try keys.path(for: source)
        let destinationPath = try keys.path(for: destination)
        try await run(source) { [keys, syncWrites] in
            let fd = try FileDescriptor.open(sourcePath, flags: O_RDONLY)
            let header = try ObjectFile.readHeader(fd)!
            var trailer = header.trailer
            trailer.lastModified = nil
            if case .replace(let replacement) = metadata { trailer.metadata = replacement }
            try FileSystem.makeDirectories(keys.temporaryDirectory)
            let temporary = keys.temporaryDirectory + "/" + FileSystem.temporaryName()
            try ObjectFile.writeCopy(of: fd, dataLength: header.dataLength, to: temporary, trailer: trailer, sync: syncWrites)
            defer { try? FileSystem.removeFile(temporary) }
            try Self.place(temporary, at: destinationPath, createOnly: false, key: destination, sync: syncWrites)
        }
    }

    public func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        try PosixKeys.validate(prefix: prefix)
        return try await run(prefix) { [root] in
            let all = try PosixListing(root: root, prefix: prefix, delimiter: delimiter).entries()
            let start =
                continuation.map { token in
                    all.firstIndex { token.utf8.lexicographicallyPrecedes($0.name.utf8) } ?? all.endIndex
                } ?? all.startIndex
            let end = min(all.endIndex, start + max(1, maxKeys))
            var page = ListPage(objects: [])
            for entry in all[start..<end] {
                switch entry {
                case .commonPrefix(let common):
                    page.commonPrefixes.append(common)
                case .object(let key):
                    // A key deleted since the walk is simply left out, as S3 would.
                    guard let fd = try? FileDescriptor.open(root + "/" + key, flags: O_RDONLY),
                        let header = try ObjectFile.readHeader(fd)
                    else { continue }
                    page.objects.append(header.info(key: key))
                }
            }
            if end < all.endIndex { page.nextContinuation = all[end - 1].name }
            return page
        }
    }

    // MARK: Helpers

    /// Moves a finished temporary file to its key's path, creating directories as needed; retried
    /// when a concurrent delete prunes the directory between mkdir and rename.
    private static func place(_ temporary: String, at path: String, createOnly: Bool, key: String, sync: Bool) throws {
        let directory = (path as NSString).deletingLastPathComponent
        var attempt = 0
        while true {
            do {
                try FileSystem.makeDirectories(directory)
                if createOnly {
                    try FileSystem.link(temporary, to: path)
                } else {
                    try FileSystem.rename(temporary, to: path)
                }
                if sync { try FileSystem.syncDirectory(directory) }
                return
            } catch let error as SystemCallError where error.isAlreadyExists && createOnly {
                throw ObjectStoreError.alreadyExists(key: key)
            } catch let error as SystemCallError where error.errno == ENOENT && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Removes directories left empty by a delete, up to the root (S3 has no empty folders).
    private static func pruneEmptyDirectories(above path: String, root: String) {
        var directory = (path as NSString).deletingLastPathComponent
        while directory.count > root.count, directory.hasPrefix(root + "/"), rmdir(directory) == 0 {
            directory = (directory as NSString).deletingLastPathComponent
        }
    }

    /// Runs blocking work on the I/O pool and turns system-call failures into `ObjectStoreError`.
    private func run<T: Sendable>(_ key: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await io.run(body)
        } catch let error as SystemCallError {
            // Only a missing object file means "no such key"; a missing download target is an I/O error.
            if error.isNotFound && error.call == "open" && error.path.hasPrefix(root + "/") {
                throw ObjectStoreError.notFound(key: key)
            }
            logger.warning("posix store I/O error", metadata: ["key": "\(key)", "error": "\(error)"])
            throw ObjectStoreError.io(key: key, detail: error.description)
        }
    }
}
