import MetaCache

extension MailUser {
    /// UIDs of `mailbox` expunged after `modSeq`, from the index's expunge log (QRESYNC's
    /// VANISHED (EARLIER), RFC 7162). The log is kept for the mailbox's whole life, so the answer is exact.
    public func expungedUIDs(in mailbox: Mailbox, since modSeq: Int64) async throws -> [UInt32] {
        try await mapErrors { try await index.expungedUIDs(in: mailbox.id.value, since: modSeq) }
    }
}
