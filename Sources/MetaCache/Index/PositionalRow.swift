import Foundation
import GRDB

/// A result row read by column position. The index's records have one decoder each over this, whichever way the
/// row was read: GRDB's `Row` (fetch requests) or `RawRow` (hot reads stepping a cached statement directly).
/// Positions, not names: Codable decoding looks every column up by name (GRDB lowercases each name for it), which
/// showed up in profiles of the per-command path; `columnNames` fixes the positions.
protocol PositionalRow {
    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: CInt) throws -> T
    func optional<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: CInt) throws -> T?
}

extension Row: PositionalRow {
    func value<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: CInt) throws -> T {
        try decode(T.self, atIndex: Int(index))
    }

    func optional<T: DatabaseValueConvertible & StatementColumnConvertible>(_ index: CInt) throws -> T? {
        hasNull(atIndex: Int(index)) ? nil : try decode(T.self, atIndex: Int(index))
    }
}

extension MessageRecord {
    /// A row of `SELECT \(MessageRecord.selectColumns)`.
    init(positional row: some PositionalRow) throws {
        self.init(
            mailboxID: try row.value(0), uid: try row.value(1), guid: try row.value(2), objectKey: try row.value(3),
            flags: try row.value(4), keywords: try row.value(5), modSeq: try row.value(6), size: try row.value(7),
            virtualSize: try row.value(8), internalDate: try row.value(9), saveDate: try row.value(10),
            cachedFields: try row.optional(11) ?? Data())
    }
}

extension MailboxRecord {
    /// A row of `SELECT \(MailboxRecord.selectColumns)`.
    init(positional row: some PositionalRow) throws {
        self.init(
            id: try row.value(0), guid: try row.value(1), name: try row.value(2), uidValidity: try row.value(3),
            uidNext: try row.value(4), highestModSeq: try row.value(5), firstRecentUID: try row.value(6),
            specialUse: try row.optional(7), createdAt: try row.value(8))
    }
}
