import Config
import Foundation
import Primitives

/// Where a user's data lives: the prefix of their objects in the bucket (from
/// `mail_location = obox:%8Mu/%u`) and their metacache directory (`mail_home`).
public struct UserLayout: Sendable, Equatable {
    public let user: String
    /// The user's key prefix in the bucket, without a trailing slash.
    public let prefix: String
    /// The user's local directory (index database, later bundle state).
    public let home: String

    public init(user: String, prefix: String, home: String) {
        self.user = user
        self.prefix = prefix
        self.home = home
    }

    /// The key of a message object relative to the user's prefix, under the mailbox it was first
    /// saved to (obox's layout, so operators recognise it).
    public static func messageKey(mailboxGUID: String, objectID: String) -> String {
        "mailboxes/\(mailboxGUID)/\(objectID)"
    }

    /// The full key in the bucket for a key relative to the user's prefix.
    public func bucketKey(_ relativeKey: String) -> String {
        prefix.isEmpty ? relativeKey : "\(prefix)/\(relativeKey)"
    }

    /// The bucket prefix holding every object of a mailbox.
    public func mailboxPrefix(guid: String) -> String {
        bucketKey("mailboxes/\(guid)/")
    }
}

/// A 32-hex-digit random identifier: mailbox GUIDs, message GUIDs and object ids.
public enum UniqueID {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.fixedWidth(generator.next() as UInt64) + Hex.fixedWidth(generator.next() as UInt64)
    }

    /// A UIDVALIDITY: the current time, as Dovecot does, so that a recreated mailbox gets a new one.
    public static func uidValidity(now: Date = Date()) -> UInt32 {
        UInt32(truncatingIfNeeded: Int64(now.timeIntervalSince1970))
    }
}
