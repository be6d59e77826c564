import Foundation
import ObjectStore
import Synchronization

/// A real in-process layer that counts what reaches the parent (and can slow gets down),
/// to check how many requests the cache lets through.
final class CountingStore: ObjectStore {
    let parent: any ObjectStore
    let getDelay: Duration
    private let counts = Mutex<[String: Int]>([:])

    init(parent: any ObjectStore, getDelay: Duration = .zero) {
        self.parent = parent
        self.getDelay = getDelay
    }

    var description: String { "counting:\(parent.description)" }

    func count(_ operation: String) -> Int { counts.withLock { $0[operation, default: 0] } }
    var reads: Int { count("get") + count("download") }

    private func record(_ operation: String) { counts.withLock { $0[operation, default: 0] += 1 } }

    func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
        record("put")
        try await parent.put(key, body: body, options: options)
    }

    func get(_ key: String, range: ByteRange?) async throws -> StoredObject {
        record("get")
        if getDelay > .zero { try await Task.sleep(for: getDelay) }
        return try await parent.get(key, range: range)
    }

    func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        record("download")
        return try await parent.download(key, to: path, range: range)
    }

    func stat(_ key: String) async throws -> ObjectInfo {
        record("stat")
        return try await parent.stat(key)
    }

    func delete(_ key: String) async throws {
        record("delete")
        try await parent.delete(key)
    }

    func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
        record("deleteMany")
        return try await parent.deleteMany(keys)
    }

    func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        record("copy")
        try await parent.copy(from: source, to: destination, metadata: metadata)
    }

    func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        record("list")
        return try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
    }
}

/// A fresh directory under the system temporary directory, removed when the test is done.
final class ScratchDirectory: Sendable {
    let path: String

    init(_ name: String = "fscache") {
        path = NSTemporaryDirectory() + "/\(name)-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

func bytes(_ count: Int, _ seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
}

/// Sizes of the entry files under a cache directory (what the disk really holds), temp files excluded.
func entryFileBytes(_ directory: String) -> Int64 {
    var total: Int64 = 0
    let enumerator = FileManager.default.enumerator(atPath: directory)
    while let relative = enumerator?.nextObject() as? String {
        if relative.hasPrefix("tmp") { continue }
        let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + relative)
        if attributes?[.type] as? FileAttributeType == .typeRegular {
            total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        }
    }
    return total
}
