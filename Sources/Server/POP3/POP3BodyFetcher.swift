import ObjectMail

/// Message bodies for RETR and TOP. A client reading one message costs one GET; once it reads in
/// order (RETR n after RETR n-1, as fetchmail and getmail do), the next `window` bodies are fetched
/// in parallel ahead of it (`mail_prefetch_count`), so an uncached download waits about one store
/// round trip per `window` messages instead of one per message.
struct POP3BodyFetcher {
    let user: MailUser
    let window: Int
    private var inFlight: [Int: Task<[UInt8], any Error>] = [:]
    private var lastIndex: Int?

    init(user: MailUser, window: Int) {
        self.user = user
        self.window = max(1, window)
    }

    mutating func body(at index: Int, in maildrop: POP3Maildrop) async throws -> [UInt8] {
        let sequential = lastIndex.map { index == $0 + 1 } ?? false
        lastIndex = index
        let task = inFlight.removeValue(forKey: index) ?? fetch(maildrop.messages[index].record)
        for (ahead, stale) in inFlight where ahead < index {
            stale.cancel()
            inFlight[ahead] = nil
        }
        if sequential {
            var next = index + 1
            while inFlight.count < window, next < maildrop.messages.count {
                if inFlight[next] == nil && !maildrop.messages[next].deleted {
                    inFlight[next] = fetch(maildrop.messages[next].record)
                }
                next += 1
            }
        }
        return try await task.value
    }

    private func fetch(_ record: MessageSummary) -> Task<[UInt8], any Error> {
        let user = self.user
        return Task { try await user.body(of: record) }
    }

    /// The session ends: nothing more will be read.
    mutating func cancelAll() {
        inFlight.values.forEach { $0.cancel() }
        inFlight = [:]
    }
}
