import Foundation
import GRDB
import MailModel

/// A mailbox as the index keeps it. Always a stored row: `id` is the row's, given by the database when
/// `insert(guid:name:uidValidity:specialUse:createdAt:in:)` created it.
public struct MailboxRecord: Sendable, Equatable, Encodable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "mailbox"

    public var id: Int64
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

    public init(
        id: Int64, guid: String, name: String, uidValidity: UInt32, uidNext: UInt32, highestModSeq: Int64,
        firstRecentUID: UInt32, specialUse: String?, createdAt: Int64
    ) {
        self.id = id
        self.guid = guid
        self.name = name
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.firstRecentUID = firstRecentUID
        self.specialUse = specialUse
        self.createdAt = createdAt
    }

    /// Adds a new, empty mailbox (UIDNEXT 1, HIGHESTMODSEQ 1) and returns its row.
    static func insert(
        guid: String, name: String, uidValidity: UInt32, specialUse: String?, createdAt: Int64,
        in db: Database
    ) throws -> MailboxRecord {
        try db.execute(
            sql: """
                INSERT INTO mailbox (guid, name, uidValidity, uidNext, highestModSeq, firstRecentUID, specialUse, createdAt)
                VALUES (?, ?, ?, 1, 1, 1, ?, ?)
                """, arguments: [guid, name, uidValidity, specialUse, createdAt])
        return MailboxRecord(
            id: db.lastInsertedRowID, guid: guid, name: name, uidValidity: uidValidity, uidNext: 1, highestModSeq: 1,
            firstRecentUID: 1, specialUse: specialUse, createdAt: createdAt)
    }

    /// The columns `init(row:)` reads, in its order: every read selects exactly these.
    public static var databaseSelection: [any SQLSelectable] { columnNames.map { Column($0) } }
    static let columnNames = ["id", "guid", "name", "uidValidity", "uidNext", "highestModSeq", "firstRecentUID", "specialUse", "createdAt"]
    static let selectColumns = columnNames.joined(separator: ", ")

    /// GRDB's fetch requests decode through the one positional decoder (`PositionalRow`).
    public init(row: Row) throws { try self.init(positional: row) }
}

/// A message row: everything IMAP needs without touching the bucket.
public struct MessageRecord: Sendable, Equatable, Encodable, FetchableRecord, PersistableRecord {
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

    /// The columns `init(row:)` reads, in its order: every read selects exactly these, so columns added
    /// to the table later do not disturb the positions.
    public static var databaseSelection: [any SQLSelectable] { columnNames.map { Column($0) } }
    static let columnNames = [
        "mailboxID", "uid", "guid", "objectKey", "flags", "keywords", "modSeq", "size",
        "virtualSize", "internalDate", "saveDate", "cachedFields"
    ]
    /// For SQL written by hand: `SELECT \(MessageRecord.selectColumns) FROM message …`.
    static let selectColumns = columnNames.joined(separator: ", ")

    /// GRDB's fetch requests decode through the one positional decoder (`PositionalRow`).
    public init(row: Row) throws { try self.init(positional: row) }

    public init(
        mailboxID: Int64, uid: UInt32, guid: String, objectKey: String, flags: Int, keywords: Int64, modSeq: Int64,
        size: Int64, virtualSize: Int64, internalDate: Int64, saveDate: Int64, cachedFields: Data
    ) {
        self.mailboxID = mailboxID
        self.uid = uid
        self.guid = guid
        self.objectKey = objectKey
        self.flags = flags
        self.keywords = keywords
        self.modSeq = modSeq
        self.size = size
        self.virtualSize = virtualSize
        self.internalDate = internalDate
        self.saveDate = saveDate
        self.cachedFields = cachedFields
    }
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
    /// The SORT/THREAD keys derived from the cached fields, when the caller computed them.
    public var sortKeys: Data?

    public init(
        guid: String, objectKey: String, flags: MessageFlags = [], keywords: [String] = [], size: Int64,
        virtualSize: Int64, internalDate: Int64, saveDate: Int64, cachedFields: Data, sortKeys: Data? = nil
    ) {
        self.sortKeys = sortKeys
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
