import Foundation
import ObjectStore

/// The behaviour every `ObjectStore` (posix, compress, fscache, s3 …) must show, as plain functions
/// that throw `ContractViolation`. Tests of each driver call `runObjectStoreContract`; a store
/// that does not support a check can run the others one by one.
///
/// Every check works under `prefix` (pass a fresh one per run when the store is shared, e.g. a
/// bucket) and deletes what it wrote. `scratchDirectory` must exist and be writable.
public func runObjectStoreContract(_ store: any ObjectStore, prefix: String, scratchDirectory: String) async throws {
    try await checkRoundTrip(store, prefix: prefix + "roundtrip/")
    try await checkRanges(store, prefix: prefix + "ranges/")
    try await checkNotFound(store, prefix: prefix + "missing/", scratchDirectory: scratchDirectory)
    try await checkCreateOnlyRace(store, prefix: prefix + "race/")
    try await checkCopy(store, prefix: prefix + "copy/")
    try await checkDownload(store, prefix: prefix + "download/", scratchDirectory: scratchDirectory)
    try await checkListing(store, prefix: prefix + "list/")
    try await checkBulkDelete(store, prefix: prefix + "bulk/")
}

/// Put then get and stat: bytes, size and metadata come back unchanged; an overwrite replaces them.
public func checkRoundTrip(_ store: any ObjectStore, prefix: String) async throws {
    let check = Check(name: "round trip")
    let metadata = ["username": "alice@example.com", "guid": "0f3a9c2e", "size": "4096"]
    let cases: [(String, [UInt8])] = [
        ("empty", []),
        ("small", Array("Subject: hello\r\n\r\nbody\r\n".utf8)),
        ("large", patternBytes(count: 1_100_000, seed: 1))
    ]
    for (name, body) in cases {
        let key = prefix + name
        try await store.put(key, body: .bytes(body), options: PutOptions(metadata: metadata, contentType: "message/rfc822"))
        let object = try await store.get(key)
        try check.expect(object.body == body, "\(key): body differs (\(object.body.count) bytes back, \(body.count) put)")
        try check.expectEqual(object.info.size, Int64(body.count), "\(key): size from get")
        try check.expectEqual(object.info.metadata, metadata, "\(key): metadata from get")
        let info = try await store.stat(key)
        try check.expectEqual(info.size, Int64(body.count), "\(key): size from stat")
        try check.expectEqual(info.metadata, metadata, "\(key): metadata from stat")
    }
    // A file body is streamed, and an overwrite replaces bytes and metadata.
    let key = prefix + "small"
    let replacement = patternBytes(count: 70_000, seed: 2)
    let file = NSTemporaryDirectory() + "/contract-body-" + UUID().uuidString
    try Data(replacement).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    try await store.put(key, body: .file(path: file), options: PutOptions(metadata: ["guid": "new"]))
    let object = try await store.get(key)
    try check.expect(object.body == replacement, "\(key): overwrite from a file body not read back")
    try check.expectEqual(object.info.metadata, ["guid": "new"], "\(key): metadata after overwrite")
    try await cleanUp(store, prefix: prefix)
}

/// Byte ranges: inside, to the end, clipped at the end; the info still gives the whole size.
public func checkRanges(_ store: any ObjectStore, prefix: String) async throws {
    let check = Check(name: "ranges")
    let body = patternBytes(count: 1000, seed: 3)
    let key = prefix + "object"
    try await store.put(key, bytes: body)
    let cases: [(ByteRange, ArraySlice<UInt8>)] = [
        (ByteRange(offset: 10, length: 20), body[10..<30]),
        (ByteRange(offset: 0, length: 1), body[0..<1]),
        (ByteRange(offset: 500), body[500...]),
        (ByteRange(offset: 990, length: 100), body[990...]),
        (ByteRange(offset: 999, length: 1), body[999...])
    ]
    for (range, expected) in cases {
        let object = try await store.get(key, range: range)
        try check.expect(
            object.body == Array(expected),
            "\(range.httpHeaderValue): got \(object.body.count) bytes, expected \(expected.count)")
        try check.expectEqual(object.info.size, 1000, "\(range.httpHeaderValue): whole size in the info")
    }
    try await cleanUp(store, prefix: prefix)
}

/// Missing keys give `.notFound` on get, stat, download and copy; deleting a missing key succeeds.
public func checkNotFound(_ store: any ObjectStore, prefix: String, scratchDirectory: String) async throws {
    let check = Check(name: "not found")
    let key = prefix + "does-not-exist"
    try await check.expectError(.notFound, "get") { try await store.get(key) }
    try await check.expectError(.notFound, "ranged get") { try await store.get(key, range: ByteRange(offset: 1, length: 2)) }
    try await check.expectError(.notFound, "stat") { try await store.stat(key) }
    let path = scratchDirectory + "/missing-" + UUID().uuidString
    try await check.expectError(.notFound, "download") { try await store.download(key, to: path, range: nil) }
    try check.expect(!FileManager.default.fileExists(atPath: path), "a failed download left a file at \(path)")
    try await check.expectError(.notFound, "copy") { try await store.copy(from: key, to: prefix + "copy", metadata: .copy) }
    try await store.delete(key)
    let failures = try await store.deleteMany([key, prefix + "other"])
    try check.expectEqual(failures, [], "deleteMany of missing keys")
}

/// 8 writers race a create-only put of one key: exactly one wins, and its bytes are stored.
public func checkCreateOnlyRace(_ store: any ObjectStore, prefix: String, writers: Int = 8) async throws {
    let check = Check(name: "create-only race")
    let key = prefix + "contended"
    let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
        for writer in 0..<writers {
            group.addTask {
                do {
                    try await store.put(
                        key, body: .bytes(patternBytes(count: 50_000, seed: UInt64(100 + writer))),
                        options: PutOptions(metadata: ["writer": "\(writer)"], createOnly: true))
                    return (writer, true)
                } catch ObjectStoreError.alreadyExists {
                    return (writer, false)
                }
            }
        }
        return try await group.reduce(into: [(Int, Bool)]()) { $0.append($1) }
    }
    let winners = outcomes.filter(\.1).map(\.0)
    try check.expectEqual(winners.count, 1, "writers that succeeded")
    let object = try await store.get(key)
    try check.expectEqual(object.info.metadata["writer"], "\(winners[0])", "metadata of the stored object")
    try check.expect(object.body == patternBytes(count: 50_000, seed: UInt64(100 + winners[0])), "stored bytes are not the winner's")
    try await check.expectError(.alreadyExists, "create-only put of an existing key") {
        try await store.put(key, body: .bytes([1]), options: PutOptions(createOnly: true))
    }
    try await cleanUp(store, prefix: prefix)
}

/// Copy keeps bytes; COPY keeps metadata, REPLACE replaces it; the source is unchanged.
public func checkCopy(_ store: any ObjectStore, prefix: String) async throws {
    let check = Check(name: "copy")
    let body = patternBytes(count: 30_000, seed: 4)
    try await store.put(prefix + "source", body: .bytes(body), options: PutOptions(metadata: ["guid": "abc", "origbox": "INBOX"]))
    try await store.copy(from: prefix + "source", to: prefix + "kept", metadata: .copy)
    let kept = try await store.get(prefix + "kept")
    try check.expect(kept.body == body, "COPY: bytes differ")
    try check.expectEqual(kept.info.metadata, ["guid": "abc", "origbox": "INBOX"], "COPY: metadata")
    try await store.copy(from: prefix + "source", to: prefix + "replaced", metadata: .replace(["guid": "xyz"]))
    let replaced = try await store.get(prefix + "replaced")
    try check.expect(replaced.body == body, "REPLACE: bytes differ")
    try check.expectEqual(replaced.info.metadata, ["guid": "xyz"], "REPLACE: metadata")
    // Copying onto an existing key overwrites it.
    try await store.copy(from: prefix + "replaced", to: prefix + "kept", metadata: .copy)
    try check.expectEqual(try await store.stat(prefix + "kept").metadata, ["guid": "xyz"], "copy over an existing key")
    try check.expectEqual(try await store.stat(prefix + "source").metadata, ["guid": "abc", "origbox": "INBOX"], "source after copies")
    try await cleanUp(store, prefix: prefix)
}

/// Download streams the object (or a range) into a file.
public func checkDownload(_ store: any ObjectStore, prefix: String, scratchDirectory: String) async throws {
    let check = Check(name: "download")
    let body = patternBytes(count: 600_000, seed: 5)
    let key = prefix + "big"
    try await store.put(key, body: .bytes(body), options: PutOptions(metadata: ["guid": "d1"]))
    let path = scratchDirectory + "/download-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: path) }
    let info = try await store.download(key, to: path, range: nil)
    try check.expectEqual(info.size, Int64(body.count), "size")
    try check.expectEqual(info.metadata, ["guid": "d1"], "metadata")
    try check.expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == body, "downloaded file differs")
    let rangePath = path + ".range"
    defer { try? FileManager.default.removeItem(atPath: rangePath) }
    _ = try await store.download(key, to: rangePath, range: ByteRange(offset: 100_000, length: 5000))
    try check.expect(
        FileManager.default.contents(atPath: rangePath).map { [UInt8]($0) } == Array(body[100_000..<105_000]),
        "downloaded range differs")
    try await cleanUp(store, prefix: prefix)
}

/// More than 1000 keys: paging with continuation tokens, S3 order, and delimiter rollup.
public func checkListing(_ store: any ObjectStore, prefix: String, keyCount: Int = 1100) async throws {
    let check = Check(name: "listing")
    let flat = (0..<keyCount).map { prefix + String(format: "k%05d", $0) }
    let nested = [prefix + "sub/a", prefix + "sub/b/c", prefix + "sub2/d", prefix + "k-dash"]
    try await putConcurrently(store, keys: flat + nested)
    let expected = (flat + nested).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

    var listed: [String] = []
    var token: String?
    var pages = 0
    repeat {
        let page = try await store.list(prefix: prefix, delimiter: nil, continuation: token, maxKeys: 1000)
        try check.expect(page.objects.count <= 1000, "a page holds \(page.objects.count) keys, more than maxKeys")
        listed += page.objects.map(\.key)
        token = page.nextContinuation
        pages += 1
    } while token != nil && pages < 10
    try check.expectEqual(pages, 2, "pages of 1000 for \(expected.count) keys")
    try check.expect(listed == expected, "listing without delimiter: \(listed.count) keys, not the \(expected.count) expected in order")

    // With "/" the nested keys roll up; small pages make common prefixes cross page boundaries.
    var objects: [String] = []
    var prefixes: [String] = []
    token = nil
    pages = 0
    repeat {
        let page = try await store.list(prefix: prefix, delimiter: "/", continuation: token, maxKeys: 300)
        objects += page.objects.map(\.key)
        prefixes += page.commonPrefixes
        token = page.nextContinuation
        pages += 1
    } while token != nil && pages < 20
    try check.expectEqual(prefixes, [prefix + "sub/", prefix + "sub2/"], "common prefixes")
    try check.expect(
        objects == (flat + [prefix + "k-dash"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) },
        "listing with delimiter: \(objects.count) keys, not the \(flat.count + 1) expected in order")

    let sub = try await store.list(prefix: prefix + "sub/", delimiter: "/", continuation: nil, maxKeys: 1000)
    try check.expectEqual(sub.objects.map(\.key), [prefix + "sub/a"], "keys under sub/")
    try check.expectEqual(sub.commonPrefixes, [prefix + "sub/b/"], "prefixes under sub/")
    let partial = try await store.list(prefix: prefix + "k0000", delimiter: nil, continuation: nil, maxKeys: 1000)
    try check.expectEqual(partial.objects.count, 10, "keys under a prefix ending inside a name")
    try check.expect(partial.objects.allSatisfy { $0.size == 3 }, "listed sizes")
    try await cleanUp(store, prefix: prefix)
}

/// 2500 keys deleted in bulk (more than one S3 DeleteObjects request), missing keys included.
public func checkBulkDelete(_ store: any ObjectStore, prefix: String, keyCount: Int = 2500) async throws {
    let check = Check(name: "bulk delete")
    let keys = (0..<keyCount).map { prefix + "d\($0)" }
    try await putConcurrently(store, keys: keys)
    let failures = try await store.deleteMany(keys + [prefix + "never-existed"])
    try check.expectEqual(failures, [], "failures")
    let left = try await store.listAll(prefix: prefix)
    try check.expectEqual(left.count, 0, "keys left after deleteMany")
}

/// Writes small objects 16 at a time.
func putConcurrently(_ store: any ObjectStore, keys: [String]) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func addOne() {
            let key = keys[next]
            group.addTask { try await store.put(key, bytes: Array("abc".utf8)) }
            next += 1
        }
        while next < min(16, keys.count) { addOne() }
        while try await group.next() != nil {
            if next < keys.count { addOne() }
        }
    }
}

func cleanUp(_ store: any ObjectStore, prefix: String) async throws {
    let keys = try await store.listAll(prefix: prefix).map(\.key)
    if !keys.isEmpty {
        let failures = try await store.deleteMany(keys)
        if !failures.isEmpty { throw ContractViolation(check: "clean-up", detail: "could not delete \(failures)") }
    }
}
