import Foundation
import ObjectStore
import Synchronization

/// A real in-process layer that counts what reaches the parent (and can slow gets down),
/// to check how many requests a cache or wrapper lets through. For tests and benchmarks.
public final class CountingStore: ObjectStore {
    public let parent: any ObjectStore
    public let getDelay: Duration
    private let counts = Mutex<[String: Int]>([:])

    public init(parent: any ObjectStore, getDelay: Duration = .zero) {
        self.parent = parent
        self.getDelay = getDelay
    }

    public var description: String { "counting:\(parent.description)" }

    /// Calls of one method so far: "get", "download", "put", "stat", "delete", "deleteMany", "copy", "list".
    public func count(_ operation: String) -> Int { counts.withLock { $0[operation, default: 0] } }
    /// Gets plus downloads.
    public var reads: Int { count("get") + count("download") }

    private func record(_ operation: String) { counts.withLock { $0[operation, default: 0] += 1 } }

    public func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
        record("put")
        try await parent.put(key, body: body, options: options)
    }

    public func get(_ key: String, range: ByteRange?) async throws -> StoredObject {
        record("get")
        if getDelay > .zero { try await Task.sleep(for: getDelay) }
        return try await parent.get(key, range: range)
    }

    public func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        record("download")
        return try await parent.download(key, to: path, range: range)
    }

    public func stat(_ key: String) async throws -> ObjectInfo {
        record("stat")
        return try await parent.stat(key)
    }

    public func delete(_ key: String) async throws {
        record("delete")
        try await parent.delete(key)
    }

    public func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
        record("deleteMany")
        return try await parent.deleteMany(keys)
    }

    public func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        record("copy")
        try await parent.copy(from: source, to: destination, metadata: metadata)
    }

    public func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        record("list")
        return try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
    }
}
