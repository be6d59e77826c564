/// `lmtp_user_concurrency_limit`: at most N deliveries to one user at a time; later ones wait
/// their turn (they do not fail), so a mail storm to one mailbox cannot take every connection.
actor UserConcurrencyLimiter {
    let limit: Int
    private var running: [String: Int] = [:]
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(limit: Int) {
        self.limit = limit
    }

    func run<T: Sendable>(user: String, _ body: @Sendable () async -> T) async -> T {
        guard limit > 0 else { return await body() }
        if running[user, default: 0] >= limit {
            await withCheckedContinuation { waiting[user, default: []].append($0) }
        } else {
            running[user, default: 0] += 1
        }
        let result = await body()
        release(user)
        return result
    }

    /// Hands the slot to the next waiter, if any (the running count stays the same then).
    private func release(_ user: String) {
        if var queue = waiting[user], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[user] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            running[user, default: 1] -= 1
            if running[user] == 0 { running[user] = nil }
        }
    }
}
