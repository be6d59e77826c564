import GRDB

/// Failures of a user's index, with the user and mailbox they concern.
public enum IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    case mailboxNotFound(user: String, mailbox: String)
    case mailboxExists(user: String, mailbox: String)
    case tooManyKeywords(user: String, mailbox: String, limit: Int)
    case database(user: String, detail: String)
    /// The index cannot be written or read now (a full disk, an I/O error, a lock held too long): the client is told
    /// to try again (`NO [UNAVAILABLE]`, LMTP 451, POP3 `-ERR [SYS/TEMP]`), not that the server is broken.
    case unavailable(user: String, detail: String)

    public var description: String {
        switch self {
        case .mailboxNotFound(let user, let mailbox): return "user \(user): mailbox \(mailbox) does not exist"
        case .mailboxExists(let user, let mailbox): return "user \(user): mailbox \(mailbox) already exists"
        case .tooManyKeywords(let user, let mailbox, let limit):
            return "user \(user): mailbox \(mailbox) already has \(limit) keywords"
        case .database(let user, let detail): return "user \(user): index database: \(detail)"
        case .unavailable(let user, let detail): return "user \(user): index database unavailable: \(detail)"
        }
    }
}

extension IndexError {
    /// A SQLite failure of `user`'s index, classified once: conditions that pass (disk space, I/O, locks, memory)
    /// are temporary, anything else (corruption, a constraint, a bug) is not.
    static func from(_ error: DatabaseError, user: String, context: String? = nil) -> IndexError {
        let detail = [context, error.message ?? error.description].compactMap { $0 }.joined(separator: ": ")
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_NOMEM, .SQLITE_CANTOPEN, .SQLITE_PROTOCOL,
            .SQLITE_READONLY:
            return .unavailable(user: user, detail: detail)
        default:
            return .database(user: user, detail: detail)
        }
    }
}
