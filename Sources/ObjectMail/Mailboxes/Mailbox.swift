import MetaCache

/// A mailbox's identity within its user: it stays while the mailbox exists (a RENAME keeps it) and is never
/// reused by another mailbox while a session could still hold it. Compared and hashed, never shown: events
/// (`MailEvent`) and watches (`MailUser.watch`) name mailboxes by it.
public struct MailboxID: Hashable, Sendable {
    /// The index's row id of the mailbox.
    let value: Int64

    init(_ value: Int64) { self.value = value }
}

/// A mailbox as the mail store's users see it, as of when it was read: what SELECT, STATUS, APPEND and the
/// delivery need. Read again (`MailUser.refresh`, `MailUser.changes`) to see later changes.
public struct Mailbox: Sendable, Equatable {
    public let id: MailboxID
    /// 32 hex digits, the same on every backend and across renames (Dovecot's mailbox GUID).
    public let guid: String
    public let name: String
    public let uidValidity: UInt32
    public let uidNext: UInt32
    public let highestModSeq: Int64
    /// Messages with this UID or higher are \Recent for the next session that claims them (`MailUser.claimRecent`).
    public let firstRecentUID: UInt32
    /// The special use stored with the mailbox (CREATE-SPECIAL-USE), e.g. `\Trash`; configured ones are in
    /// `MailboxListing.specialUse`.
    public let specialUse: String?
}

extension Mailbox {
    /// The index's row, seen from above: the conversion every mailbox read goes through. (In an extension, so the
    /// memberwise initializer stays.)
    init(_ record: MailboxRecord) {
        self.init(
            id: MailboxID(record.id), guid: record.guid, name: record.name, uidValidity: record.uidValidity,
            uidNext: record.uidNext, highestModSeq: record.highestModSeq, firstRecentUID: record.firstRecentUID,
            specialUse: record.specialUse)
    }
}
