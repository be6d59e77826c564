import Foundation
import Logging
import Synchronization
import Testing

@testable import S3Client

@Suite struct OperationDeadlineTests {
    @Test func runSetsTheDeadlineForTheOperationOnlyAndZeroOrNilMeansNone() async {
        #expect(OperationDeadline.current == nil)
        await OperationDeadline.run(budget: .seconds(5)) {
            let current = OperationDeadline.current
            #expect(current != nil && current!.budget == .seconds(5))
            #expect(current!.remaining > .seconds(4) && !current!.hasExpired)
            // Child tasks inherit it; background work opts out.
            let inherited = await Task { OperationDeadline.current }.value
            #expect(inherited === current)
            await OperationDeadline.withoutDeadline { #expect(OperationDeadline.current == nil) }
            // A nested run without a budget clears it rather than keeping the outer one.
            await OperationDeadline.run(budget: nil) { #expect(OperationDeadline.current == nil) }
            await OperationDeadline.run(budget: .zero) { #expect(OperationDeadline.current == nil) }
        }
        #expect(OperationDeadline.current == nil)
    }

    @Test func progressGivesTheNextStepAWholeBudgetAndNeverShortensIt() async throws {
        let deadline = OperationDeadline(budget: .milliseconds(200))
        let first = deadline.expires
        try await Task.sleep(for: .milliseconds(50))
        deadline.progressed()
        #expect(deadline.expires > first)
        #expect(deadline.remaining > .milliseconds(150))
        let long = OperationDeadline(budget: .seconds(10))
        let before = long.expires
        long.progressed()
        #expect(long.expires >= before)
    }

    @Test func earliestAndAllowsRetryFollowTheCurrentDeadline() async {
        let far = ContinuousClock.now + .seconds(60)
        #expect(OperationDeadline.earliest(nil) == nil)
        #expect(OperationDeadline.earliest(far) == far)
        #expect(OperationDeadline.allowsRetry(after: .seconds(1000)))
        await OperationDeadline.run(budget: .seconds(1)) {
            let limit = OperationDeadline.earliest(far)!
            #expect(limit < far && limit == OperationDeadline.current!.expires)
            #expect(OperationDeadline.earliest(nil) == OperationDeadline.current!.expires)
            #expect(OperationDeadline.allowsRetry(after: .milliseconds(10)))
            #expect(!OperationDeadline.allowsRetry(after: .seconds(2)))
        }
    }

    struct Gone: Error, Equatable {}

    @Test func waitingForSharedWorkEndsAtTheDeadlineWhileTheWorkGoesOn() async throws {
        let finished = Atomic<Bool>(false)
        // Long enough that even a loaded machine fires the 100 ms deadline first.
        let shared = Task<Int, any Error> {
            try await Task.sleep(for: .seconds(5))
            finished.store(true, ordering: .relaxed)
            return 7
        }
        await #expect(throws: Gone.self) {
            try await OperationDeadline.run(budget: .milliseconds(100)) {
                try await OperationDeadline.value(of: shared) { Gone() }
            }
        }
        let finishedEarly = finished.load(ordering: .relaxed)
        #expect(!finishedEarly)
        // The work was not cancelled: a caller with time left gets its result, and so does one without a deadline.
        let value = try await OperationDeadline.run(budget: .seconds(60)) { try await OperationDeadline.value(of: shared) { Gone() } }
        #expect(value == 7)
        #expect(try await OperationDeadline.value(of: shared) { Gone() } == 7)
    }

    /// A server that accepts connections (the kernel does, into the backlog) and never answers: a stalled S3.
    @Test func aStalledServerFailsARequestAtTheDeadlineNotAfterTimeoutAndRetries() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound && listen(listener, 16) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        // Dovecot's defaults: 10 s inactivity timeout, 4 retries (more than 40 s without a deadline).
        let client = try S3Client(url: "http://key:secret@127.0.0.1:\(port)/bucket/", logger: Logger(label: "test"))
        defer { client.shutdown() }
        let started = ContinuousClock.now
        do {
            _ = try await OperationDeadline.run(budget: .milliseconds(1500)) { try await client.getObject("stalled") }
            Issue.record("a GET from a server that never answers succeeded")
        } catch let error as S3Error {
            #expect(error.kind == .timeout)
            #expect(error.isRetryable)
        }
        let elapsed = ContinuousClock.now - started
        // Without the deadline: 10 s (timeout) per attempt and 4 retries, over 40 s. The upper bound only has to tell
        // the two apart: in a full parallel test run on a loaded 2-core machine, CPU-bound suites beside this one can
        // hold Swift's cooperative threads for seconds before this task resumes (10-24 s were seen), which is not
        // what is tested here.
        #expect(elapsed >= .milliseconds(1400) && elapsed < .seconds(30), "took \(elapsed)")
    }
}
