import IMAPProtocol
import ObjectMail

/// QUOTA (RFC 9208) over the quota plugin's roots ("User quota", and `quota2`'s), counted from the index.
extension IMAPSession {
    static let quotaCapabilities = ["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"]

    func getQuotaRoot(tag: String, mailbox name: String, user: MailUser) async throws {
        let mailbox = try await user.mailbox(name)
        let usages = try await user.quotaUsages()
        guard !usages.isEmpty else { return tagged(tag, .no, "Quota not enabled") }
        encoder.writeQuotaRoot(mailbox: mailbox.name, roots: usages.map(\.rootName), into: &output)
        for usage in usages { encoder.writeQuota(root: usage.rootName, Self.resources(usage), into: &output) }
        tagged(tag, .ok, "Getquotaroot completed.")
    }

    func getQuota(tag: String, root: String, user: MailUser) async throws {
        let usages = try await user.quotaUsages()
        guard !usages.isEmpty else { return tagged(tag, .no, "Quota not enabled") }
        guard let usage = usages.first(where: { $0.rootName == root }) else { return tagged(tag, .no, "Quota root does not exist") }
        encoder.writeQuota(root: usage.rootName, Self.resources(usage), into: &output)
        tagged(tag, .ok, "Getquota completed.")
    }

    /// Only the limited resources, as Dovecot lists them; STORAGE in units of 1024 octets (RFC 9208 §5.1).
    private static func resources(_ usage: QuotaUsage) -> [(name: String, usage: UInt64, limit: UInt64)] {
        var resources: [(name: String, usage: UInt64, limit: UInt64)] = []
        if let storage = usage.limits.storage {
            resources.append(("STORAGE", UInt64(max(0, usage.bytes) / 1024), UInt64(storage / 1024)))
        }
        if let messages = usage.limits.messages {
            resources.append(("MESSAGE", UInt64(max(0, usage.messages)), UInt64(messages)))
        }
        return resources
    }
}
