import Foundation
import GRDB

extension UserIndex {
    public func mailboxes() async throws -> [MailboxRecord] {
        try await read { db in try MailboxRecord.order(Column("name")).fetchAll(db) }
    }

    public func mailbox(named name: String) async throws -> MailboxRecord? {
        try await read { db in
            try db.cachedStatement(sql: "SELECT \(MailboxRecord.selectColumns) FROM mailbox WHERE name = ?")
                .firstRawRow([name], MailboxRecord.init(positional:))
        }
    }

    public func mailbox(guid: String) async throws -> MailboxRecord? {
        try await read { db in try Self.mailbox(guid: guid, db: db) }
    }

    static func mailbox(guid: String, db: Database) throws -> MailboxRecord? {
        try db.cachedStatement(sql: "SELECT \(MailboxRecord.selectColumns) FROM mailbox WHERE guid = ?")
            .firstRawRow([guid], MailboxRecord.init(positional:))
    }

    /// Creates a mailbox. Parents are not created: listing shows them as \Noselect, as Dovecot's
    /// index-based mailbox lists do.
    public func createMailbox(
        name: String, guid: String, uidValidity: UInt32, specialUse: String? = nil,
        now: Date = Date()
    ) async throws -> MailboxRecord {
        let user = self.user
        return try await write { db in
            if try MailboxRecord.filter(Column("name") == name).fetchCount(db) > 0 {
                throw IndexError.mailboxExists(user: user, mailbox: name)
            }
            return try MailboxRecord.insert(
                guid: guid, name: name, uidValidity: uidValidity, specialUse: specialUse,
                createdAt: Int64(now.timeIntervalSince1970), in: db)
        }
    }

    /// Renames a mailbox and every mailbox below it (`a` → `b` moves `a/x` to `b/x`).
    /// UIDVALIDITY, UIDs and objects stay as they are.
    public func renameMailbox(_ oldName: String, to newName: String, separator: Character = "/") async throws {
        let user = self.user
        try await write { db in
            let prefix = oldName + String(separator)
            let affected =
                try MailboxRecord
                .filter(Column("name") == oldName || Column("name").like(Self.likePattern(prefix), escape: "\\"))
                .fetchAll(db)
            // A name that is only the parent of others (\Noselect, left by deleting a mailbox with children) is
            // renamed with its children, as Dovecot renames it (RFC 3501 §6.3.5).
            guard !affected.isEmpty else { throw IndexError.mailboxNotFound(user: user, mailbox: oldName) }
            for mailbox in affected {
                let target = newName + mailbox.name.dropFirst(oldName.count)
                if try MailboxRecord.filter(Column("name") == target).fetchCount(db) > 0 {
                    throw IndexError.mailboxExists(user: user, mailbox: target)
                }
            }
            // Two passes through temporary names so that renames inside the same subtree cannot collide.
            for mailbox in affected {
                try db.execute(sql: "UPDATE mailbox SET name = ? WHERE id = ?", arguments: ["\u{7f}objectmail-rename-" + mailbox.guid, mailbox.id])
            }
            for mailbox in affected {
                let target = newName + mailbox.name.dropFirst(oldName.count)
                try db.execute(sql: "UPDATE mailbox SET name = ? WHERE id = ?", arguments: [target, mailbox.id])
            }
        }
    }

    /// Deletes a mailbox and its messages (not its children). Returns the keys of objects that no
    /// other message refers to; they are also queued in the pending deletes until
    /// `objectsDeleted(_:)` confirms the store removed them.
    public func deleteMailbox(named name: String) async throws -> [String] {
        let user = self.user
        return try await write { db in
            guard let id = try MailboxRecord.filter(Column("name") == name).fetchOne(db)?.id else {
                throw IndexError.mailboxNotFound(user: user, mailbox: name)
            }
            let keys = try String.fetchAll(db, sql: "SELECT objectKey FROM message WHERE mailboxID = ?", arguments: [id])
            let released = try Self.releaseObjects(keys, in: db)
            try db.execute(sql: "DELETE FROM mailbox WHERE id = ?", arguments: [id])
            return released
        }
    }

    // MARK: - Subscriptions

    public func subscriptions() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT name FROM subscription ORDER BY name") }
    }

    public func setSubscribed(_ name: String, _ subscribed: Bool) async throws {
        try await write { db in
            if subscribed {
                try db.execute(sql: "INSERT OR IGNORE INTO subscription(name) VALUES (?)", arguments: [name])
            } else {
                try db.execute(sql: "DELETE FROM subscription WHERE name = ?", arguments: [name])
            }
        }
    }

    /// A LIKE pattern matching names that start with `prefix` literally.
    static func likePattern(_ prefix: String) -> String {
        var escaped = ""
        for character in prefix {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}
