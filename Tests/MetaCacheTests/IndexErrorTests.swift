import GRDB
import Testing

@testable import MetaCache

/// SQLite failures are classified once: what passes by itself (a full disk, I/O, locks) is temporary, so the
/// protocols answer "try again" (NO [UNAVAILABLE], 451, -ERR [SYS/TEMP]) instead of reporting a server bug.
@Suite struct IndexErrorTests {
    @Test func fullDiskAndIOErrorsAreTemporaryCorruptionIsNot() {
        for code in [ResultCode.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_READONLY] {
            #expect(IndexError.from(DatabaseError(resultCode: code, message: "m"), user: "u") == .unavailable(user: "u", detail: "m"))
        }
        for code in [ResultCode.SQLITE_CORRUPT, .SQLITE_CONSTRAINT, .SQLITE_ERROR] {
            #expect(IndexError.from(DatabaseError(resultCode: code, message: "m"), user: "u", context: "p") == .database(user: "u", detail: "p: m"))
        }
    }
}
