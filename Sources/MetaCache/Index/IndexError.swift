/// Failures of a user's index, with the user and mailbox they concern.
public enum IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    case mailboxNotFound(user: String, mailbox: String)
    case mailboxExists(user: String, mailbox: String)
    case tooManyKeywords(user: String, mailbox: String, limit: Int)
    case database(user: String, detail: String)

    public var description: String {
        switch self {
        case .mailboxNotFound(let user, let mailbox): return "user \(user): mailbox \(mailbox) does not exist"
        case .mailboxExists(let user, let mailbox): return "user \(user): mailbox \(mailbox) already exists"
        case .tooManyKeywords(let user, let mailbox, let limit):
            return "user \(user): mailbox \(mailbox) already has \(limit) keywords"
        case .database(let user, let detail): return "user \(user): index database: \(detail)"
        }
    }
}
