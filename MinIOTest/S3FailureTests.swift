import Foundation
import ObjectStore
import S3Client
import Testing

/// Retries, timeouts, shutdown and a dead server. Retry and timeout behaviour uses flaky_http.py
/// (S3 semantics are tested against SeaweedFS); the dead server is a real SeaweedFS killed with -9.
@Suite struct S3FailureTests {
    @Test func retriesServerErrorsWithBackoff() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let client = try countingClient(server.url("max_retries=4"))
        let (object, elapsed) = try await measure { try await client.getObject("fail-2-a") }
        #expect(object.body == Array("ok".utf8))
        #expect(client.metrics.count(.get) == 3)
        #expect(elapsed >= .milliseconds(550), "backoff 50 ms then 500 ms")
    }

    @Test func givesUpAfterMaxRetriesWithTheRequestID() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let store = S3ObjectStore(client: try countingClient(server.url("max_retries=1")))
        do {
            _ = try await store.get("fail-5-b")
            Issue.record("expected unavailable")
        } catch ObjectStoreError.unavailable(let key, let detail, let requestID) {
            #expect(key == "fail-5-b")
            #expect(requestID == "flaky-2")
            #expect(detail.contains("SlowDown"))
        }
        #expect(store.client.metrics.count(.get) == 2)
    }

    @Test func createOnlyRetryThatMeetsItsOwnEarlierWriteSucceeds() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let client = try countingClient(server.url("max_retries=2"))
        // First attempt stored but answered 503; the retry gets 412; HEAD shows our own bytes.
        try await client.putObject("stored-a", body: .bytes(Array("mail".utf8)), createOnly: true)
        #expect(client.metrics.count(.put) == 2)
        #expect(client.metrics.count(.head) == 1)
        // Other bytes under the key: a real conflict, reported as such.
        let store = try S3ObjectStore(urlString: server.url("max_retries=2"), logger: testLogger)
        await #expect(throws: ObjectStoreError.alreadyExists(key: "stored-other-b")) {
            try await store.put("stored-other-b", body: .bytes(Array("mine".utf8)), options: PutOptions(createOnly: true))
        }
    }

    @Test func neverRetriesOther4xx() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let store = S3ObjectStore(client: try countingClient(server.url("max_retries=4")))
        await #expect(throws: ObjectStoreError.rejected(key: "status-400-c", status: 400, code: "Teapot", message: "no", requestID: "flaky-1")) {
            try await store.put("status-400-c", bytes: [1])
        }
        #expect(store.client.metrics.count(.put) == 1)
        let client = try countingClient(server.url("max_retries=2"))
        await #expect(throws: S3Error.self) { try await client.getObject("status-429-d") }
        #expect(client.metrics.count(.get) == 3, "429 is retried")
    }

    @Test func absoluteTimeoutEndsAHangingRequest() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let store = try S3ObjectStore(urlString: server.url("absolute_timeout=700&max_retries=4"), logger: testLogger)
        let (result, elapsed) = await measure { await Result(catching: { try await store.stat("slow-e") }) }
        guard case .failure(ObjectStoreError.unavailable) = result else {
            Issue.record("expected unavailable, got \(result)")
            return
        }
        // The server hangs for 30 s; the bound proves the timeout ended the request, with room for
        // a loaded CI machine (other suites start databases and SeaweedFS at the same time).
        #expect(elapsed < .seconds(15))
    }

    @Test func readTimeoutEndsAHangingRequest() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let client = try S3Client(url: server.url("timeout=1000&max_retries=1"), logger: testLogger)
        let (result, elapsed) = await measure { await Result(catching: { try await client.getObject("slow-f") }) }
        guard case .failure(let error as S3Error) = result else {
            Issue.record("expected an S3Error, got \(result)")
            return
        }
        #expect(error.kind == .timeout)
        #expect(error.attempts == 2)
        // Two attempts of 1 s against a server that hangs for 30 s (room for a loaded machine).
        #expect(elapsed < .seconds(20))
    }

    @Test func shutdownResumesRequestsInFlight() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let client = try S3Client(url: server.url("max_parallel=2"), logger: testLogger)
        // Two run, two wait in the queue: all four must end.
        let (outcomes, elapsed) = await measure {
            await withTaskGroup(of: S3Error?.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        do {
                            _ = try await client.getObject("slow-g\(index)")
                            return nil
                        } catch {
                            return error as? S3Error
                        }
                    }
                }
                try? await Task.sleep(for: .milliseconds(300))
                client.shutdown()
                return await group.reduce(into: [S3Error?]()) { $0.append($1) }
            }
        }
        #expect(outcomes.count == 4)
        #expect(outcomes.allSatisfy { $0?.kind == .shutdown })
        // Under the server's 30 s hang: the shutdown, not the server, ended the requests.
        #expect(elapsed < .seconds(25))
        await #expect(throws: S3Error.self) { try await client.headObject("after-shutdown") }
    }

    @Test func cancellationEndsTheRequest() async throws {
        let server = try FlakyHTTPServer()
        defer { server.stop() }
        let client = try S3Client(url: server.url(""), logger: testLogger)
        let task = Task { try await client.getObject("slow-h") }
        try await Task.sleep(for: .milliseconds(200))
        let (result, elapsed) = await measure {
            task.cancel()
            return await task.result
        }
        guard case .failure(let error) = result else {
            Issue.record("expected cancellation")
            return
        }
        #expect(error is CancellationError)
        // Well under the server's 30 s hang, with room for a loaded machine.
        #expect(elapsed < .seconds(10))
    }

    @Test func killedServerGivesUnavailableNotAHang() async throws {
        let server = try await SeaweedFS.startAsync()
        defer { server.stop() }
        let store = try S3ObjectStore(urlString: url(server.url, with: ["max_retries": "2", "timeout": "2000"]), logger: testLogger)
        let prefix = uniquePrefix("killed")
        try await store.put(prefix + "before", bytes: Array(repeating: 1, count: 100_000))

        let (outcomes, elapsed) = await measure {
            await withTaskGroup(of: Result<Void, any Error>.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        await Result(catching: {
                            for round in 0..<200 {
                                _ = try await store.get(prefix + "before")
                                try await store.put(prefix + "w\(index)-\(round)", bytes: [1, 2, 3])
                            }
                        })
                    }
                }
                try? await Task.sleep(for: .milliseconds(300))
                kill(server.pid, SIGKILL)
                return await group.reduce(into: [Result<Void, any Error>]()) { $0.append($1) }
            }
        }
        #expect(elapsed < .seconds(30))
        for outcome in outcomes {
            guard case .failure(let error) = outcome else {
                Issue.record("a request loop finished although the server was killed")
                continue
            }
            guard case ObjectStoreError.unavailable(let key, _, _) = error else {
                Issue.record("expected unavailable, got \(error)")
                continue
            }
            #expect(key.hasPrefix(prefix))
        }
        let (late, lateElapsed) = await measure { await Result(catching: { try await store.stat(prefix + "before") }) }
        guard case .failure(ObjectStoreError.unavailable) = late else {
            Issue.record("expected unavailable after the kill, got \(late)")
            return
        }
        #expect(lateElapsed < .seconds(10), "connection refused: 2 retries after 50 and 500 ms, no hang")
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
