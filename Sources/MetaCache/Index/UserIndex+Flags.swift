import Foundation
import GRDB
import MailModel

public struct FlagStoreResult: Sendable, Equatable {
    /// Messages whose flags changed, with their new state and MODSEQ.
    public var changed: [MessageState]
    /// UIDs not changed because their MODSEQ was above UNCHANGEDSINCE (RFC 7162 MODIFIED).
    public var modifiedSince: [UInt32]
    /// What the write's `CatchUpRequest` asked for.
    public var caughtUp: CaughtUp? = nil
}

/// Keywords are per mailbox and referred to by bit position in a 63-bit mask.
public let maximumKeywordsPerMailbox = 63

extension UserIndex {
    /// Applies a STORE to the messages in `uids`. Each changed message gets a new MODSEQ (one per
    /// STORE, as Dovecot assigns); with `unchangedSince`, messages modified after it are left alone
    /// and reported. Messages whose flags would not change keep their MODSEQ.
    public func storeFlags(
        _ change: FlagChange, on uids: UIDSet, in mailboxID: Int64,
        unchangedSince: Int64? = nil, catchingUp request: CatchUpRequest? = nil
    ) async throws -> FlagStoreResult {
        let user = self.user
        return try await write(catchingUp: request) { db in
            var mailbox = try Self.requireMailbox(mailboxID, user: user, in: db)
            let mask = try Self.keywordMask(change.keywords, mailbox: mailbox, user: user, in: db)
            let names = try Self.keywordNames(mailboxID, in: db)
            let modSeq = mailbox.highestModSeq + 1
            var changed: [MessageState] = []
            var refused: [UInt32] = []
            for condition in uids.sqlConditions {
                var rows: [(uid: UInt32, flags: Int, keywords: Int64, modSeq: Int64)] = []
                try db.cachedStatement(sql: "SELECT uid, flags, keywords, modSeq FROM message WHERE mailboxID = ? AND \(condition.sql) ORDER BY uid")
                    .forEachRawRow(StatementArguments([mailboxID]) + StatementArguments(condition.arguments)) { row in
                        rows.append((try row.value(0), try row.value(1), try row.value(2), try row.value(3)))
                    }
                // Updated after the read: the UPDATEs must not run while the SELECT is still stepping.
                for (uid, oldFlags, oldKeywords, oldModSeq) in rows {
                    if let unchangedSince, oldModSeq > unchangedSince {
                        refused.append(uid)
                        continue
                    }
                    let (newFlags, newKeywords): (Int, Int64)
                    switch change.operation {
                    case .add: (newFlags, newKeywords) = (oldFlags | change.flags.rawValue, oldKeywords | mask)
                    case .remove: (newFlags, newKeywords) = (oldFlags & ~change.flags.rawValue, oldKeywords & ~mask)
                    case .replace: (newFlags, newKeywords) = (change.flags.rawValue, mask)
                    }
                    guard newFlags != oldFlags || newKeywords != oldKeywords else { continue }
                    try db.cachedStatement(sql: "UPDATE message SET flags = ?, keywords = ?, modSeq = ? WHERE mailboxID = ? AND uid = ?")
                        .execute(arguments: [newFlags, newKeywords, modSeq, mailboxID, uid])
                    changed.append(
                        MessageState(
                            uid: uid, flags: MessageFlags(rawValue: newFlags),
                            keywords: Self.keywords(newKeywords, names: names), modSeq: modSeq))
                }
            }
            if !changed.isEmpty {
                mailbox.highestModSeq = modSeq
                try Self.storeCounters(of: mailbox, in: db)
            }
            return FlagStoreResult(changed: changed, modifiedSince: refused)
        }
    }

    // MARK: - Keyword table

    static func keywordNames(_ mailboxID: Int64, in db: Database) throws -> [Int: String] {
        var names: [Int: String] = [:]
        try db.cachedStatement(sql: "SELECT position, name FROM keyword WHERE mailboxID = ?").forEachRawRow([mailboxID]) { row in
            names[try row.value(0)] = try row.value(1)
        }
        return names
    }

    static func keywords(_ mask: Int64, names: [Int: String]) -> [String] {
        guard mask != 0 else { return [] }
        return (0..<maximumKeywordsPerMailbox).compactMap { position in
            mask & (Int64(1) << position) != 0 ? names[position] : nil
        }
    }

    /// The mask for `keywords`, adding unknown ones to the mailbox's table. Keywords compare
    /// case-insensitively (RFC 3501 flags are case-insensitive); the first spelling is kept.
    static func keywordMask(_ keywords: [String], mailbox: MailboxRecord, user: String, in db: Database) throws -> Int64 {
        guard !keywords.isEmpty else { return 0 }
        let mailboxID = mailbox.id
        var names = try keywordNames(mailboxID, in: db)
        var mask: Int64 = 0
        for keyword in keywords {
            if let position = names.first(where: { $0.value.caseInsensitiveCompare(keyword) == .orderedSame })?.key {
                mask |= Int64(1) << position
                continue
            }
            guard let free = (0..<maximumKeywordsPerMailbox).first(where: { names[$0] == nil }) else {
                throw IndexError.tooManyKeywords(user: user, mailbox: mailbox.name, limit: maximumKeywordsPerMailbox)
            }
            try db.execute(sql: "INSERT INTO keyword(mailboxID, position, name) VALUES (?, ?, ?)", arguments: [mailboxID, free, keyword])
            names[free] = keyword
            mask |= Int64(1) << free
        }
        return mask
    }
}
