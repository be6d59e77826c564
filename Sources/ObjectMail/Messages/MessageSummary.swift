import Foundation
import MailModel
import MetaCache

/// A message as the index describes it: everything a protocol answers without the body (UID, flags, MODSEQ,
/// sizes, dates, the cached MIME fields), and what `MailUser.body(of:)` needs to read the body.
///
/// It wraps the index row it was read from, so a FETCH of many messages converts nothing per message, and shows
/// only what a protocol may use: not the mailbox's row id or the keyword bit mask (keywords come with
/// `MessageState`, whose names the index resolves).
public struct MessageSummary: Sendable, Equatable {
    let record: MessageRecord

    init(_ record: MessageRecord) { self.record = record }

    public var uid: UInt32 { record.uid }
    /// The message GUID (POP3 UIDL %g); the same in every mailbox a copy of the message is in.
    public var guid: String { record.guid }
    public var flags: MessageFlags { record.systemFlags }
    public var modSeq: Int64 { record.modSeq }
    /// Bytes as stored.
    public var size: Int64 { record.size }
    /// Bytes with CRLF line ends (RFC822.SIZE).
    public var virtualSize: Int64 { record.virtualSize }
    /// INTERNALDATE, seconds since 1970.
    public var internalDate: Int64 { record.internalDate }
    /// SAVEDATE, seconds since 1970.
    public var saveDate: Int64 { record.saveDate }
    /// The MIME module's serialized envelope, body structure, header fields and preview; empty in listings
    /// (`MailUser.messageListing`).
    public var cachedFields: Data { record.cachedFields }
    /// Where the body is stored, relative to the user's prefix (`mailboxes/<mailbox-guid>/<oid>`): for log lines
    /// and POP3 UIDL's %f, not for reading (`MailUser.body(of:)` does that).
    public var objectKey: String { record.objectKey }
}
