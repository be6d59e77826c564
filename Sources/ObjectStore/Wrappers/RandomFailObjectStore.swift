import Synchronization

/// The `randomfail` wrapper: fails the named operations with the configured percentage by throwing
/// `ObjectStoreError.injectedFailure` before reaching the parent (which is therefore left unchanged).
/// For tests of retries and error paths; seed it to make a run reproducible.
public final class RandomFailObjectStore: ObjectStore {
    public let parent: any ObjectStore
    public let rates: RandomFailRates
    private let random: Mutex<SeededRandom>

    public var description: String {
        let rates = RandomFailRates.Operation.allCases.compactMap { operation in
            self.rates.percent[operation].map { "\(operation.rawValue)=\($0)" }
        }
        return "randomfail:\(rates.joined(separator: ",")):\(parent.description)"
    }

    public init(parent: any ObjectStore, rates: RandomFailRates, seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.parent = parent
        self.rates = rates
        self.random = Mutex(SeededRandom(seed: seed))
    }

    static let factory: PipelineRegistry.WrapperFactory = { arguments, _ in
        let rates = try RandomFailRates(parsing: arguments[0])
        return { parent in RandomFailObjectStore(parent: parent, rates: rates) }
    }

    /// Throws with the operation's probability.
    private func maybeFail(_ operation: RandomFailRates.Operation, key: String) throws {
        guard let percent = rates.percent[operation], percent > 0 else { return }
        let roll = random.withLock { Int.random(in: 0..<100, using: &$0) }
        if roll < percent { throw ObjectStoreError.injectedFailure(key: key, operation: operation.rawValue) }
    }

    public func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
        try maybeFail(.write, key: key)
        try await parent.put(key, body: body, options: options)
    }

    public func get(_ key: String, range: ByteRange?) async throws -> StoredObject {
        try maybeFail(.read, key: key)
        return try await parent.get(key, range: range)
    }

    public func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
        try maybeFail(.read, key: key)
        return try await parent.download(key, to: path, range: range)
    }

    public func stat(_ key: String) async throws -> ObjectInfo {
        try maybeFail(.stat, key: key)
        return try await parent.stat(key)
    }

    public func delete(_ key: String) async throws {
        try maybeFail(.delete, key: key)
        try await parent.delete(key)
    }

    public func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] {
        try maybeFail(.delete, key: keys.first ?? "")
        return try await parent.deleteMany(keys)
    }

    public func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
        try maybeFail(.copy, key: source)
        try await parent.copy(from: source, to: destination, metadata: metadata)
    }

    public func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
        try maybeFail(.iter, key: prefix)
        return try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
    }
}
