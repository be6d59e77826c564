import ObjectStore
import Synchronization

enum Mode: Int { case cached, uncached, slow }

final class ModeSwitch: Sendable {
    private let value = Atomic<Int>(Mode.cached.rawValue)
    func set(_ mode: Mode) { value.store(mode.rawValue, ordering: .relaxed) }
    var current: Mode { Mode(rawValue: value.load(ordering: .relaxed)) ?? .cached }
}

/// Reads through the fscache, straight from the store, or from the store with a simulated
/// latency, as the benchmark selects; everything else goes through the cache.
final class SwitchingStore: ObjectStore {
    let mode: ModeSwitch
    let cached: any ObjectStore, uncached: any ObjectStore, slow: any ObjectStore

    init(mode: ModeSwitch, cached: any ObjectStore, uncached: any ObjectStore, slow: any ObjectStore) {
        self.mode = mode
        self.cached = cached
        self.uncached = uncached
        self.slow = slow
    }

    var description: String { "switching:\(cached.description)" }

    private var reader: any ObjectStore {
        switch mode.current {
        case .cached: cached
        case .uncached: uncached
        case .slow: slow
        }
    }

    func get(_ key: String, range: ByteRange?) async throws -> StoredObject { try await reader.get(key, range: range) }
    func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        try await reader.download(key, to: path, range: range)
    }
    func put(_ key: String, body: ObjectBody, options: PutOptions) async throws { try await cached.put(key, body: body, options: options) }
    func stat(_ key: String) async throws -> ObjectInfo { try await cached.stat(key) }
    func delete(_ key: String) async throws { try await cached.delete(key) }
    func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] { try await cached.deleteMany(keys) }
    func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        try await cached.copy(from: source, to: destination, metadata: metadata)
    }
    func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        try await cached.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
    }
}
