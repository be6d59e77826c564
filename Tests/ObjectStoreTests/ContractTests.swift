import FSCache
import ObjectStore
import StoreContract
import Testing

/// The shared store contract (Tests/StoreContract) against the local pipelines;
/// MinIOTest runs the same functions against s3.
@Suite struct ContractTests {
    @Test func posix() async throws {
        let scratch = ScratchDirectory()
        let store = try PipelineRegistry.builtIn.makeStore("posix:\(scratch.path)/objects")
        try await runObjectStoreContract(store, prefix: "user/alice/", scratchDirectory: scratch.path)
    }

    @Test func posixWithSyncedWritesCreateOnlyRace() async throws {
        // The default store fsyncs; the race must hold there too (the others run unsynced for speed).
        let scratch = ScratchDirectory()
        try await checkCreateOnlyRace(PosixObjectStore(root: scratch.path), prefix: "race/")
    }

    @Test func compressOverPosix() async throws {
        let scratch = ScratchDirectory()
        // Built directly to skip fsync: the fsynced posix path is covered above, this one is about compress.
        let store = CompressObjectStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false), method: .gz, level: 6)
        try await runObjectStoreContract(store, prefix: "", scratchDirectory: scratch.path)
    }

    @Test func posixRejectsKeysOutsideItsRoot() async throws {
        let scratch = ScratchDirectory()
        let store = PosixObjectStore(root: scratch.path + "/objects", syncWrites: false)
        for key in ["../escape", "/etc/passwd", "a/../../b", "a//b", "", ".objectmail-tmp/x", "a/./b"] {
            await #expect(throws: ObjectStoreError.self, "\(key)") { try await store.put(key, bytes: [1]) }
        }
        await #expect(throws: ObjectStoreError.self) {
            try await store.list(prefix: "../", delimiter: nil, continuation: nil, maxKeys: 10)
        }
    }
}

@Suite struct FSCacheContractTests {
    @Test func fscacheOverPosix() async throws {
        let scratch = ScratchDirectory()
        let store = FSCacheStore(
            parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false),
            directory: scratch.path + "/cache", maxSize: 1 << 30)
        try await runObjectStoreContract(store, prefix: "", scratchDirectory: scratch.path)
    }

    @Test func fscacheOverCompressOverPosixWithATinyCache() async throws {
        // A cache smaller than most objects: evictions all the time must not change any answer.
        let scratch = ScratchDirectory()
        let compress = CompressObjectStore(parent: PosixObjectStore(root: scratch.path + "/objects", syncWrites: false), method: .maybeGz, level: 1)
        let store = FSCacheStore(parent: compress, directory: scratch.path + "/cache", maxSize: 100 * 1024)
        try await runObjectStoreContract(store, prefix: "u/", scratchDirectory: scratch.path)
    }

    @Test func fscacheArgumentsAreChecked() throws {
        #expect(
            throws: PipelineError.badArgument(
                driver: "fscache", argument: "size", position: 9, value: "1Q",
                expected: "a size such as 1G, 500M or 100k")
        ) {
            try PipelineRegistry.standard.makeStore("fscache:1Q:/tmp/c:posix:/tmp/o")
        }
        #expect(
            throws: PipelineError.badArgument(
                driver: "fscache", argument: "directory", position: 12, value: "relative",
                expected: "an absolute directory")
        ) {
            try PipelineRegistry.standard.makeStore("fscache:1G:relative:posix:/tmp/o")
        }
        let context = PipelineContext(expandVariables: { $0.replacingOccurrences(of: "%4Nu", with: "0a1b") })
        let store = try PipelineRegistry.standard.makeStore("fscache:500M:/var/cache/mails/%4Nu:posix:/tmp/o", context: context)
        let cache = try #require(store as? FSCacheStore)
        #expect(cache.directory == "/var/cache/mails/0a1b")
        #expect(cache.maxSize == Int64(500 * 1024 * 1024))
    }
}
