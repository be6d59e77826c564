import Crypto
import Foundation
import ObjectStore
import S3Client
import Testing

/// Object semantics against a real S3 server (SeaweedFS unless OBJECTMAIL_TEST_S3_URL names another).
@Suite struct S3ObjectTests {
    @Test func roundTripKeepsBodyMetadataAndContentType() async throws {
        let client = try await makeClient(["addhdr": "X-ObjectMail-Test:%20signed"])  // extra headers are signed too
        let key = uniquePrefix("roundtrip") + "mail with spaces+plus~tilde/ünïcode"
        let body = Array("From: a@example.com\r\n\r\nhello\r\n".utf8)
        try await client.putObject(key, body: .bytes(body), contentType: "message/rfc822",
                                   metadata: ["username": "alice", "guid": "0123abcd"])
        let object = try await client.getObject(key)
        #expect(object.body == body)
        #expect(object.head.size == Int64(body.count))
        #expect(object.head.contentType == "message/rfc822")
        #expect(object.head.metadata == ["username": "alice", "guid": "0123abcd"])
        #expect(object.head.lastModified != nil)

        let store = try await makeStore()
        let stored = try await store.get(key)
        #expect(stored.body == body)
        #expect(stored.info.metadata["username"] == "alice")
    }

    @Test func emptyObjectRoundTrips() async throws {
        let store = try await makeStore()
        let key = uniquePrefix("empty") + "empty"
        try await store.put(key, bytes: [])
        #expect(try await store.get(key).body == [])
        let path = NSTemporaryDirectory() + "objectmail-empty-\(UUID().uuidString)"
        defer { unlink(path) }
        #expect(try await store.download(key, to: path, range: nil).size == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func rangesReturnTheRequestedBytesAndTheWholeSize() async throws {
        let store = try await makeStore()
        let key = uniquePrefix("range") + "object"
        let body = (0..<1000).map { UInt8($0 % 251) }
        try await store.put(key, bytes: body)

        let middle = try await store.get(key, range: ByteRange(offset: 100, length: 50))
        #expect(middle.body == Array(body[100..<150]))
        #expect(middle.info.size == 1000)
        let tail = try await store.get(key, range: ByteRange(offset: 990))
        #expect(tail.body == Array(body[990...]))

        let path = NSTemporaryDirectory() + "objectmail-range-\(UUID().uuidString)"
        defer { unlink(path) }
        let info = try await store.download(key, to: path, range: ByteRange(offset: 10, length: 10))
        #expect(info.size == 1000)
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == Array(body[10..<20]))
    }

    @Test func headAndMissingKeys() async throws {
        let store = try await makeStore()
        let prefix = uniquePrefix("head")
        try await store.put(prefix + "a", bytes: Array(repeating: 7, count: 123), options: PutOptions(metadata: ["size": "123"]))
        let info = try await store.stat(prefix + "a")
        #expect(info.size == 123)
        #expect(info.metadata == ["size": "123"])
        #expect(info.etag != nil)

        await #expect(throws: ObjectStoreError.notFound(key: prefix + "missing")) { try await store.stat(prefix + "missing") }
        await #expect(throws: ObjectStoreError.notFound(key: prefix + "missing")) { try await store.get(prefix + "missing") }
        let path = NSTemporaryDirectory() + "objectmail-missing-\(UUID().uuidString)"
        await #expect(throws: ObjectStoreError.notFound(key: prefix + "missing")) {
            try await store.download(prefix + "missing", to: path, range: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: path), "a failed download leaves no file")
        try await store.delete(prefix + "missing")  // S3 semantics: succeeds
        try await store.delete(prefix + "a")
        await #expect(throws: ObjectStoreError.notFound(key: prefix + "a")) { try await store.stat(prefix + "a") }
    }

    @Test func createOnlyRaceHasExactlyOneWinner() async throws {
        let store = try await makeStore()
        let key = uniquePrefix("race") + "contested"
        let outcomes = await withTaskGroup(of: Result<Int, ObjectStoreError>.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    do {
                        try await store.put(key, body: .bytes(Array("writer \(writer)".utf8)), options: PutOptions(createOnly: true))
                        return .success(writer)
                    } catch let error as ObjectStoreError {
                        return .failure(error)
                    } catch {
                        return .failure(.io(key: key, detail: "\(error)"))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.compactMap { try? $0.get() }
        #expect(winners.count == 1)
        let losers = outcomes.filter { if case .failure(.alreadyExists(key)) = $0 { return true } else { return false } }
        #expect(losers.count == 7)
        #expect(try await store.get(key).body == Array("writer \(winners.first ?? -1)".utf8))
    }

    @Test func copyKeepsOrReplacesMetadata() async throws {
        let store = try await makeStore()
        let client = store.client
        let prefix = uniquePrefix("copy")
        try await client.putObject(prefix + "source", body: .bytes([1, 2, 3]), contentType: "message/rfc822",
                                   metadata: ["username": "bob", "origbox": "INBOX"])
        try await store.copy(from: prefix + "source", to: prefix + "kept", metadata: .copy)
        let kept = try await client.headObject(prefix + "kept")
        #expect(kept.metadata == ["username": "bob", "origbox": "INBOX"])
        #expect(kept.contentType == "message/rfc822")
        #expect(try await store.get(prefix + "kept").body == [1, 2, 3])

        try await client.copyObject(from: prefix + "source", to: prefix + "replaced",
                                    metadata: .replace(metadata: ["username": "carol"], contentType: "text/plain"))
        let replaced = try await client.headObject(prefix + "replaced")
        #expect(replaced.metadata == ["username": "carol"])
        #expect(replaced.contentType == "text/plain")

        await #expect(throws: ObjectStoreError.notFound(key: prefix + "nothing")) {
            try await store.copy(from: prefix + "nothing", to: prefix + "x", metadata: .copy)
        }
    }

    @Test func wrongSecretIsAccessDenied() async throws {
        let good = try S3Configuration(url: await sharedURL())
        var bad = good
        bad.credentials?.secretKey = "definitely-wrong"
        let store = S3ObjectStore(client: S3Client(configuration: bad, logger: testLogger))
        do {
            try await store.put(uniquePrefix("denied") + "x", bytes: [1])
            Issue.record("a wrong secret was accepted")
        } catch let error as ObjectStoreError {
            guard case .accessDenied(_, let code, _, _) = error else {
                Issue.record("expected accessDenied, got \(error)")
                return
            }
            #expect(code == "SignatureDoesNotMatch")
            #expect(!error.description.contains("definitely-wrong"))
            #expect(!error.description.contains(good.credentials?.secretKey ?? "?"))
        }
        #expect(!store.description.contains("definitely-wrong"))
    }

    @Test func twentyFiveMegabytesStreamUpAndDownByteExact() async throws {
        let store = try await makeStore()
        let key = uniquePrefix("large") + "25mb"
        let source = try makeRandomFile(size: 25 << 20)
        let target = NSTemporaryDirectory() + "objectmail-s3-down-\(UUID().uuidString)"
        defer {
            unlink(source)
            unlink(target)
        }
        try await store.put(key, body: .file(path: source), options: PutOptions())
        let info = try await store.download(key, to: target, range: nil)
        #expect(info.size == 25 << 20)
        #expect(try fileSHA256(source) == fileSHA256(target))
        try await store.delete(key)
    }
}

func fileSHA256(_ path: String) throws -> String {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}
