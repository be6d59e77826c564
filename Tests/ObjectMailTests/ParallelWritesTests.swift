import Config
import Foundation
import Logging
import MetaCache
import ObjectStore
import Testing

@testable import ObjectMail

/// `obox_max_parallel_writes`: one save never has more PUTs in flight than the limit.
@Suite struct ParallelWritesTests {
    /// Counts the PUTs in flight (each takes a little while) and remembers the most seen at once.
    final class ConcurrencyStore: ObjectStore, @unchecked Sendable {
        let parent: any ObjectStore
        private let lock = NSLock()
        private var inFlight = 0
        private(set) var most = 0
        var description: String { "concurrency(\(parent.description))" }

        init(parent: any ObjectStore) { self.parent = parent }

        func put(_ key: String, body: ObjectBody, options: PutOptions) async throws {
            lock.withLock {
                inFlight += 1
                most = max(most, inFlight)
            }
            defer { lock.withLock { inFlight -= 1 } }
            try await Task.sleep(for: .milliseconds(20))
            try await parent.put(key, body: body, options: options)
        }
        func get(_ key: String, range: ByteRange?) async throws -> StoredObject { try await parent.get(key, range: range) }
        func download(_ key: String, to path: String, range: ByteRange?) async throws -> ObjectInfo {
            try await parent.download(key, to: path, range: range)
        }
        func stat(_ key: String) async throws -> ObjectInfo { try await parent.stat(key) }
        func delete(_ key: String) async throws { try await parent.delete(key) }
        func deleteMany(_ keys: [String]) async throws -> [BulkDeleteFailure] { try await parent.deleteMany(keys) }
        func copy(from source: String, to destination: String, metadata: MetadataDirective) async throws {
            try await parent.copy(from: source, to: destination, metadata: metadata)
        }
        func list(prefix: String, delimiter: String?, continuation: String?, maxKeys: Int) async throws -> ListPage {
            try await parent.list(prefix: prefix, delimiter: delimiter, continuation: continuation, maxKeys: maxKeys)
        }
    }

    func mostInFlight(saving count: Int, limit: Int) async throws -> Int {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("writes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ConcurrencyStore(parent: try PipelineRegistry.builtIn.makeStore("posix:\(root)/objects"))
        var configuration = StorageConfiguration(homeTemplate: "\(root)/home/%u")
        configuration.maxParallelWrites = limit
        let storage = MailStorage(configuration: configuration, logger: Logger(label: "test")) { _ in store }
        let user = try await storage.user("alice@example.com")
        let messages = (0..<count).map { IncomingMessage(bytes: Array("Subject: \($0)\r\n\r\nbody\r\n".utf8)) }
        let assigned = try await user.saveMessages(messages, to: try await user.mailbox("INBOX"))
        #expect(assigned.destinationUIDs.count == count)
        return store.most
    }

    @Test func aSaveKeepsAtMostTheLimitInFlight() async throws {
        #expect(try await mostInFlight(saving: 12, limit: 3) == 3)
        #expect(try await mostInFlight(saving: 6, limit: 1) == 1)
    }

    @Test func theDefaultIsMailPrefetchCount() throws {
        let settings = try SettingsRegistryForTests.registry.load(text: "mail_prefetch_count = 4\n", file: "t.conf")
        #expect(try StorageConfiguration(settings: settings).maxParallelWrites == 4)
        let zero = try SettingsRegistryForTests.registry.load(text: "mail_prefetch_count = 0\n", file: "t.conf")
        #expect(try StorageConfiguration(settings: zero).maxParallelWrites == 1)
        let set = try SettingsRegistryForTests.registry.load(text: "plugin {\n  obox_max_parallel_writes = 7\n}\n", file: "t.conf")
        #expect(try StorageConfiguration(settings: set).maxParallelWrites == 7)
    }
}

enum SettingsRegistryForTests {
    static let registry: SettingsRegistry = {
        var registry = SettingsRegistry()
        StorageSettings.register(in: &registry)
        return registry
    }()
}
