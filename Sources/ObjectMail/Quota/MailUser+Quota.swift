import MetaCache

/// The quota root's current state, as GETQUOTA reports it.
public struct QuotaUsage: Sendable, Equatable {
    public var rootName: String
    public var messages: Int64
    public var bytes: Int64
    public var limits: QuotaLimits
}

extension MailUser {
    /// Takes the userdb's `quota_rule…` fields (Dovecot's `userdb_quota_rule`), which replace the configured
    /// rules of the same name. Applied at every login and delivery, so a field the operator removed stops
    /// applying too. A rule that does not parse is logged and the configured rules apply.
    public func applyUserdbFields(_ fields: [String: String]) {
        userdbFields = fields
        guard let quota else {
            quotaLimits = nil
            secondQuotaLimits = nil
            return
        }
        do {
            quotaLimits = try quota.limits(userdbFields: fields)
            secondQuotaLimits = try quota.secondLimits(userdbFields: fields)
        } catch {
            logger.error("userdb \(error); using the configured quota rules")
            quotaLimits = try? quota.limits(userdbFields: [:])
            secondQuotaLimits = try? quota.secondLimits(userdbFields: [:])
        }
    }

    /// Some root limits something: saves and copies are checked.
    var quotaIsLimited: Bool { quotaLimits?.isLimited == true || secondQuotaLimits?.isLimited == true }

    /// Every quota root's state (the first root, then `quota2`'s); empty when no quota is configured.
    public func quotaUsages() async throws -> [QuotaUsage] {
        guard let first = try await quotaUsage() else { return [] }
        guard let second = quota?.secondRoot, let limits = secondQuotaLimits else { return [first] }
        let (messages, bytes) = try await countedUsage(limits)
        return [first, QuotaUsage(rootName: second.name, messages: messages, bytes: bytes, limits: limits)]
    }

    /// nil when no quota is configured.
    public func quotaUsage() async throws -> QuotaUsage? {
        guard let quota, let limits = quotaLimits else { return nil }
        let (messages, bytes) = try await countedUsage(limits)
        return QuotaUsage(rootName: quota.rootName, messages: messages, bytes: bytes, limits: limits)
    }

    func countedUsage(_ limits: QuotaLimits) async throws -> (messages: Int64, bytes: Int64) {
        let byMailbox = try await mapErrors { try await index.usageByMailbox() }
        var messages: Int64 = 0
        var bytes: Int64 = 0
        for (name, usage) in byMailbox where !limits.ignoredMailboxes.contains(name) {
            messages += usage.messages
            bytes += usage.bytes
        }
        return (messages, bytes)
    }

    /// Refuses a save or copy that would take the user over a limit, before anything is stored.
    /// `grace` (LMTP delivery) lets one message through while usage before it is under the limit and after it
    /// within `quota_grace` of it, as Dovecot does.
    /// Every root (`quota`, `quota2`) must let it through.
    func checkQuota(adding messageCount: Int, bytes addedBytes: Int64, into mailbox: String, grace: Bool) async throws {
        if let second = secondQuotaLimits {
            try await checkQuota(second, adding: messageCount, bytes: addedBytes, into: mailbox, grace: grace)
        }
        guard let limits = quotaLimits, limits.isLimited, !limits.ignoredMailboxes.contains(mailbox) else {
            await primeQuotaWarnings()
            return
        }
        let (messages, bytes) = try await countedUsage(limits)
        await primeQuotaWarnings(QuotaCount(messages: messages, bytes: bytes))
        try checkQuota(
            limits, used: QuotaCount(messages: messages, bytes: bytes), adding: messageCount, bytes: addedBytes,
            into: mailbox, grace: grace)
    }

    private func checkQuota(
        _ limits: QuotaLimits, adding messageCount: Int, bytes addedBytes: Int64, into mailbox: String,
        grace: Bool
    ) async throws {
        guard limits.isLimited, !limits.ignoredMailboxes.contains(mailbox) else { return }
        let (messages, bytes) = try await countedUsage(limits)
        try checkQuota(
            limits, used: QuotaCount(messages: messages, bytes: bytes), adding: messageCount, bytes: addedBytes,
            into: mailbox, grace: grace)
    }

    private func checkQuota(
        _ limits: QuotaLimits, used: QuotaCount, adding messageCount: Int, bytes addedBytes: Int64,
        into mailbox: String, grace: Bool
    ) throws {
        guard let quota else { return }
        let (messages, bytes) = (used.messages, used.bytes)
        let (storageLimit, messageLimit) = limits.limits(savingInto: mailbox)
        func fits(used: Int64, adding: Int64, limit: Int64?) -> Bool {
            guard let limit else { return true }
            if used + adding <= limit { return true }
            return grace && used < limit && used + adding <= limit + quota.grace.allowance(over: limit)
        }
        guard fits(used: bytes, adding: addedBytes, limit: storageLimit),
            fits(used: messages, adding: Int64(messageCount), limit: messageLimit)
        else {
            logger.info(
                "quota exceeded",
                metadata: [
                    "box": "\(mailbox)", "bytes": "\(bytes)+\(addedBytes)",
                    "messages": "\(messages)+\(messageCount)"
                ])
            throw StorageError.quotaExceeded(user: name, mailbox: mailbox, message: quota.exceededMessage)
        }
    }
}
