import Foundation

/// Time for the penalty and failure delays; tests inject a clock that records sleeps instead of sleeping.
public protocol AuthClock: Sendable {
    /// Seconds on a monotonic scale.
    func now() -> Double
    func sleep(seconds: Double) async
}

public struct SystemAuthClock: AuthClock {
    public init() {}

    public func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    public func sleep(seconds: Double) async {
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }
}

/// Failed logins per remote IP, as Dovecot's anvil auth-penalty: after n failures the next attempt
/// from that IP waits 2^n seconds (2, 4, 8 …) capped at 15 s; a success clears it, an hour of quiet forgets it.
actor AuthPenalty {
    static let initialSeconds = 2.0
    static let maximumSeconds = 15.0
    static let forgetAfter = 3600.0
    static let maximumTracked = 100_000

    private var failures: [String: (count: Int, last: Double)] = [:]

    func delay(for ip: String, now: Double) -> Double {
        guard let record = failures[ip] else { return 0 }
        guard now - record.last < Self.forgetAfter else {
            failures[ip] = nil
            return 0
        }
        return Self.delay(forFailures: record.count)
    }

    static func delay(forFailures count: Int) -> Double {
        guard count > 0 else { return 0 }
        return min(maximumSeconds, initialSeconds * pow(2, Double(min(count, 8) - 1)))
    }

    func recordFailure(ip: String, now: Double) {
        if failures.count >= Self.maximumTracked, failures[ip] == nil {
            failures = failures.filter { now - $0.value.last < Self.forgetAfter }
            if failures.count >= Self.maximumTracked { failures.removeAll() }
        }
        let count = (failures[ip]?.count ?? 0) + 1
        failures[ip] = (count, now)
    }

    func recordSuccess(ip: String) {
        failures[ip] = nil
    }
}
