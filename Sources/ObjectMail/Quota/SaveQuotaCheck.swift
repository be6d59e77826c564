/// How a save meets the quota limits.
public enum SaveQuotaCheck: Sendable, Equatable {
    /// IMAP APPEND and the like: the save must fit under the limit.
    case enforced
    /// A delivery (LMTP, LDA): `quota_grace` may let it over the limit when the user was under it before, as
    /// Dovecot lets the last mail that fills the box through.
    case withGrace
    /// Dovecot's `noenforcing` quota root option, which a delivery may ask for (`objectmail lda -o
    /// "plugin/quota=…:noenforcing"`, how quota-warning scripts reach a full box): usage is tracked, not limited.
    case notEnforced
}
