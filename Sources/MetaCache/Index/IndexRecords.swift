import Foundation
import GRDB

/// A mailbox as the index keeps it.
public struct MailboxRecord: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "mailbox"

    public var id: Int64?
    /// 32 hex digits; also the folder of the mailbox's objects in the bucket.
    public var guid: String
    public var name: String
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: Int64
    /// Messages with this UID or higher are \Recent for the next session that selects the mailbox.
    public var firstRecentUID: UInt32
    public var specialUse: String?
    public var createdAt: Int64

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A message row: everything IMAP needs without touching the bucket.
public struct MessageRecord: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "message"

    public var mailboxID: Int64
    public var uid: UInt32
    /// The message GUID (POP3 UIDL %g, deduplication); stays the same across copies.
    public var guid: String
    /// The object's key relative to the user's prefix, e.g. `mailboxes/<mailbox-guid>/<oid>`.
    public var objectKey: String
    public var flags: Int
    /// Bit positions in the mailbox's keyword table.
    public var keywords: Int64
    public var modSeq: Int64
    /// Bytes as stored.
    public var size: Int64
    /// Bytes with CRLF line ends (RFC822.SIZE).
    public var virtualSize: Int64
    /// INTERNALDATE, seconds since 1970.
    public var internalDate: Int64
    /// SAVEDATE, seconds since 1970.
    public var saveDate: Int64
    /// The MIME module's serialized envelope, body structure, header fields and preview.
    public var cachedFields: Data

    public var systemFlags: MessageFlags { MessageFlags(rawValue: flags) }
}

/// What the storage layer knows of a new message when it is saved.
public struct NewMessage: Sendable, Equatable {
    public var guid: String
    public var objectKey: String
    public var flags: MessageFlags
    public var keywords: [String]
    public var size: Int64
    public var virtualSize: Int64
    public var internalDate: Int64
    public var saveDate: Int64
    public var cachedFields: Data

    public init(guid: String, objectKey: String, flags: MessageFlags = [], keywords: [String] = [], size: Int64,
                virtualSize: Int64, internalDate: Int64, saveDate: Int64, cachedFields: Data) {
        self.guid = guid
        self.objectKey = objectKey
        self.flags = flags
        self.keywords = keywords
        self.size = size
        self.virtualSize = virtualSize
        self.internalDate = internalDate
        self.saveDate = saveDate
        self.cachedFields = cachedFields
    }
}

/// The per-message state a selected session tracks: UID, flags, keywords, MODSEQ.
public struct MessageState: Sendable, Equatable {
    public var uid: UInt32
    public var flags: MessageFlags
    public var keywords: [String]
    public var modSeq: Int64

    public init(uid: UInt32, flags: MessageFlags, keywords: [String], modSeq: Int64) {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.modSeq = modSeq
    }
}
