import Foundation
import ObjectStore
import S3Client
import Testing

/// Listing and bulk deletion against a real S3 server.
@Suite struct S3BucketTests {
    /// Puts `keys` with up to 32 requests in flight.
    func putAll(_ store: S3ObjectStore, _ keys: [String]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func addNext() {
                let key = keys[next]
                next += 1
                group.addTask { try await store.put(key, bytes: Array(key.utf8)) }
            }
            while next < min(32, keys.count) { addNext() }
            while try await group.next() != nil {
                if next < keys.count { addNext() }
            }
        }
    }

    @Test func bulkDeleteOf2500KeysTakesThreeRequestsAfterPagedListing() async throws {
        let store = try await makeStore()
        let prefix = uniquePrefix("bulk")
        let keys = (0..<2500).map { prefix + String(format: "mail-%05d", $0) }
        try await putAll(store, keys)

        let first = try await store.list(prefix: prefix, delimiter: nil, continuation: nil, maxKeys: 1000)
        #expect(first.objects.count == 1000)
        #expect(first.objects.map(\.key) == Array(keys.prefix(1000)))
        #expect(first.nextContinuation != nil)
        let all = try await store.listAll(prefix: prefix)
        #expect(all.map(\.key) == keys)
        #expect(all.allSatisfy { $0.size == Int64($0.key.utf8.count) && $0.lastModified != nil })

        let before = store.client.metrics.count(.deleteObjects)
        let failures = try await store.deleteMany(keys + [prefix + "never-existed"])
        #expect(failures.isEmpty)
        #expect(store.client.metrics.count(.deleteObjects) - before == 3)
        let after = try await store.list(prefix: prefix, delimiter: nil, continuation: nil, maxKeys: 1000)
        #expect(after.objects.isEmpty)
    }

    /// An expunge usually releases one object: that is one plain DELETE, and a missing key still counts as deleted.
    @Test func deletingOneKeyIsAPlainDelete() async throws {
        let store = try await makeStore()
        let prefix = uniquePrefix("one")
        try await store.put(prefix + "mail", bytes: Array("x".utf8))
        let deletes = store.client.metrics.count(.delete), bulk = store.client.metrics.count(.deleteObjects)
        #expect(try await store.deleteMany([prefix + "mail"]).isEmpty)
        #expect(try await store.deleteMany([prefix + "never-existed"]).isEmpty)
        #expect(store.client.metrics.count(.delete) - deletes == 2 && store.client.metrics.count(.deleteObjects) == bulk)
        #expect(try await store.list(prefix: prefix, delimiter: nil, continuation: nil, maxKeys: 10).objects.isEmpty)
    }

    @Test func delimiterRollsUpCommonPrefixesAcrossPages() async throws {
        let store = try await makeStore()
        let prefix = uniquePrefix("delim")
        var keys = (0..<1050).map { prefix + String(format: "box-a/%04d", $0) }
        keys += [prefix + "box-b/1", prefix + "box-c/x/y", prefix + "top-level"]
        try await putAll(store, keys)

        var prefixes: [String] = []
        var objects: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await store.list(prefix: prefix, delimiter: "/", continuation: token, maxKeys: 2)
            prefixes += page.commonPrefixes
            objects += page.objects.map(\.key)
            token = page.nextContinuation
            pages += 1
        } while token != nil && pages < 10
        #expect(prefixes == [prefix + "box-a/", prefix + "box-b/", prefix + "box-c/"])
        #expect(objects == [prefix + "top-level"])
        #expect(pages >= 2)

        let inside = try await store.listAll(prefix: prefix + "box-a/", pageSize: 400)
        #expect(inside.count == 1050)
        #expect(try await store.deleteMany(keys).isEmpty)
    }
}
