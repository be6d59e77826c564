import CSQLite
import Foundation
import GRDB

/// The current row of a statement stepped by `Statement.forEachRawRow`, read by column position.
struct RawRow: PositionalRow {
    let statement: SQLiteStatement

    /// The value at `index`; a NULL or a value of another type is an error, as it would be for GRDB's `Row`.
    func value<T: StatementColumnConvertible>(_ index: CInt) throws -> T {
        guard let value = T.fromStatement(statement, atUncheckedIndex: index) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "column \(index) is NULL or of another type")
        }
        return value
    }

    /// The value at `index`, nil for NULL.
    func optional<T: StatementColumnConvertible>(_ index: CInt) -> T? {
        sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : T.fromStatement(statement, atUncheckedIndex: index)
    }
}

extension Statement {
    /// Steps through the rows of a SELECT, handing each to `body` without making GRDB `Row`s: every GRDB
    /// cursor builds a dictionary of its columns' lowercased names first, a cost (docs/performance.md) spread
    /// over the few queries each command runs. Only for SELECTs inside a transaction the caller holds.
    func forEachRawRow(_ arguments: StatementArguments, _ body: (RawRow) throws -> Void) throws {
        try setArguments(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        while true {
            let code = sqlite3_step(sqliteStatement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw stepFailure(code) }
            try body(RawRow(statement: sqliteStatement))
        }
    }

    /// The first row of a SELECT made into a value, or nil when there is none.
    func firstRawRow<T>(_ arguments: StatementArguments, _ make: (RawRow) throws -> T) throws -> T? {
        var first: T?
        try setArguments(arguments)
        defer { sqlite3_reset(sqliteStatement) }
        let code = sqlite3_step(sqliteStatement)
        if code == SQLITE_ROW { first = try make(RawRow(statement: sqliteStatement)) } else if code != SQLITE_DONE { throw stepFailure(code) }
        return first
    }

    /// The first column of every row (`fetchAll` without GRDB's cursor).
    func rawColumn<T: StatementColumnConvertible>(_ arguments: StatementArguments = []) throws -> [T] {
        var values: [T] = []
        try forEachRawRow(arguments) { values.append(try $0.value(0)) }
        return values
    }

    /// The first column of the first row, nil when there is none (`fetchOne` without GRDB's cursor).
    func rawValue<T: StatementColumnConvertible>(_ arguments: StatementArguments = []) throws -> T? {
        try firstRawRow(arguments) { try $0.value(0) }
    }

    private func stepFailure(_ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}
