import ObjectStore
import StoreContract
import Testing

@Suite struct RandomFailTests {
    @Test func parsesDovecotSyntax() throws {
        let rates = try RandomFailRates(parsing: "read=30,all=10,metadata=5,lock=50")
        #expect(rates.percent == [.read: 30, .write: 10, .delete: 10, .stat: 5, .iter: 10, .copy: 10])
        #expect(throws: PipelineArgumentError.self) { try RandomFailRates(parsing: "reed=30") }
        #expect(throws: PipelineArgumentError.self) { try RandomFailRates(parsing: "read=-1") }
    }

    @Test func failsTheConfiguredShareWithAFixedSeed() async throws {
        let scratch = ScratchDirectory()
        let posix = PosixObjectStore(root: scratch.path, syncWrites: false)
        try await posix.put("key", bytes: [1, 2, 3])
        let store = RandomFailObjectStore(parent: posix, rates: RandomFailRates(percent: [.read: 30, .stat: 0]), seed: 42)
        var failures = 0
        for _ in 0..<1000 {
            do {
                _ = try await store.get("key")
            } catch ObjectStoreError.injectedFailure(key: "key", operation: "read") {
                failures += 1
            }
            _ = try await store.stat("key") // 0%: never fails
        }
        #expect((250...350).contains(failures), "\(failures) of 1000 reads failed at 30%")

        // The same seed gives the same sequence.
        func failurePattern(seed: UInt64) async -> [Bool] {
            let store = RandomFailObjectStore(parent: posix, rates: RandomFailRates(percent: [.write: 50]), seed: seed)
            var pattern: [Bool] = []
            for index in 0..<50 {
                do {
                    try await store.put("w\(index)", bytes: [])
                    pattern.append(false)
                } catch { pattern.append(true) }
            }
            return pattern
        }
        let first = await failurePattern(seed: 7)
        #expect(first == (await failurePattern(seed: 7)))
        #expect(first.contains(true) && first.contains(false))
    }

    @Test func failedWritesLeaveTheParentUntouched() async throws {
        let scratch = ScratchDirectory()
        let posix = PosixObjectStore(root: scratch.path, syncWrites: false)
        let store = RandomFailObjectStore(parent: posix, rates: RandomFailRates(percent: [.write: 100]), seed: 1)
        await #expect(throws: ObjectStoreError.injectedFailure(key: "k", operation: "write")) {
            try await store.put("k", bytes: [1])
        }
        await #expect(throws: ObjectStoreError.notFound(key: "k")) { try await posix.stat("k") }
    }
}
