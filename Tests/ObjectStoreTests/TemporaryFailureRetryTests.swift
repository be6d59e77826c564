import ObjectStore
import S3Client
import Synchronization
import Testing

@Suite struct TemporaryFailureRetryTests {
    @Test func aTemporaryFailureIsTriedAgainAPermanentOneIsNot() async throws {
        let calls = Atomic<Int>(0)
        let value = try await TemporaryFailureRetry.run(firstDelay: .milliseconds(1)) {
            if calls.add(1, ordering: .relaxed).newValue < 3 {
                throw ObjectStoreError.unavailable(key: "k", detail: "timeout", requestID: nil)
            }
            return 42
        }
        #expect(value == 42 && calls.load(ordering: .relaxed) == 3)

        calls.store(0, ordering: .relaxed)
        await #expect(throws: ObjectStoreError.notFound(key: "k")) {
            try await TemporaryFailureRetry.run(firstDelay: .milliseconds(1)) { () async throws -> Int in
                calls.add(1, ordering: .relaxed)
                throw ObjectStoreError.notFound(key: "k")
            }
        }
        #expect(calls.load(ordering: .relaxed) == 1)

        calls.store(0, ordering: .relaxed)
        await #expect(throws: ObjectStoreError.self) {
            try await TemporaryFailureRetry.run(attempts: 4, firstDelay: .milliseconds(1)) { () async throws -> Int in
                calls.add(1, ordering: .relaxed)
                throw ObjectStoreError.unavailable(key: "k", detail: "down", requestID: nil)
            }
        }
        #expect(calls.load(ordering: .relaxed) == 4)
    }

    @Test func noRetryStartsAfterTheOperationsDeadline() async throws {
        let calls = Atomic<Int>(0)
        await #expect(throws: ObjectStoreError.self) {
            try await OperationDeadline.run(budget: .milliseconds(300)) {
                try await TemporaryFailureRetry.run(attempts: 10, firstDelay: .milliseconds(200)) { () async throws -> Int in
                    calls.add(1, ordering: .relaxed)
                    throw ObjectStoreError.unavailable(key: "k", detail: "down", requestID: nil)
                }
            }
        }
        // 0 ms, then 200 ms; the next delay (400 ms) would end after the deadline: two attempts, not ten.
        #expect(calls.load(ordering: .relaxed) == 2)
    }
}
