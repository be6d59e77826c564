import Synchronization
import Testing

@testable import Server

@Suite struct UserConcurrencyLimiterTests {
    final class Gauge: Sendable {
        let state = Mutex<(now: Int, most: Int)>((0, 0))
        func enter() {
            state.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
        }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    func run(limit: Int, users: [String]) async -> [String: Int] {
        let limiter = UserConcurrencyLimiter(limit: limit)
        let gauges = Dictionary(uniqueKeysWithValues: Set(users).map { ($0, Gauge()) })
        await withTaskGroup(of: Void.self) { group in
            for user in users {
                let gauge = gauges[user]!
                group.addTask {
                    await limiter.run(user: user) {
                        gauge.enter()
                        try? await Task.sleep(for: .milliseconds(20))
                        gauge.leave()
                    }
                }
            }
        }
        return gauges.mapValues(\.most)
    }

    @Test func atMostLimitDeliveriesPerUserRunAtOnce() async {
        let most = await run(limit: 2, users: Array(repeating: "jane", count: 8) + Array(repeating: "joe", count: 8))
        #expect(most == ["jane": 2, "joe": 2])
    }

    @Test func zeroMeansNoLimit() async {
        let most = await run(limit: 0, users: Array(repeating: "jane", count: 6))
        #expect(most["jane"]! > 2)
    }
}
