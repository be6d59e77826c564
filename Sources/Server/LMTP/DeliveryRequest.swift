import ObjectMail

/// Where and how one recipient's copy is saved: what differs between an LMTP delivery and an LDA one on the
/// shared save path (`StorageDelivery.save`).
struct DeliveryRequest: Sendable, Equatable {
    /// The mailbox asked for (LMTP: the detail with lmtp_save_to_detail_mailbox; LDA: -m); nil is INBOX.
    var mailbox: String?
    /// lda_mailbox_autocreate / lda_mailbox_autosubscribe for the requested mailbox.
    var autocreate: Bool
    var autosubscribe: Bool
    var quota: SaveQuotaCheck
}

/// What became of one recipient's copy.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Stored and indexed, in this mailbox.
    case saved(mailbox: String)
    /// Over the user's quota: `quota_exceeded_message`. Whether that is permanent is the protocol's to say.
    case overQuota(String)
    /// Anything else: the store, the index, the user's loading failed; the sender should retry.
    case temporaryFailure(String)
}
