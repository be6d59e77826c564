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
        let store = try PipelineRegistry.builtIn.makeStore("compress:gz:6:posix:\(scratch.path)/objects")
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
