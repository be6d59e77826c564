import MetaCache
import ObjectStore

/// Why a mail operation failed, in terms a protocol can turn into a tagged answer.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(String, MailboxNameError)
    case mailboxNotFound(user: String, mailbox: String)
    case mailboxExists(user: String, mailbox: String)
    /// The operation is not allowed on this mailbox (deleting INBOX, a \Noselect name with children …).
    case notAllowed(user: String, mailbox: String, reason: String)
    /// The object store failed; temporary failures may succeed later (NO [UNAVAILABLE], 451 4.3.0).
    case store(user: String, StoreFailure)
    /// The user's index failed; temporary when the disk is full or failing.
    case index(IndexFailure)
    /// Saving or copying would take the user over a quota limit; `message` is `quota_exceeded_message`.
    case quotaExceeded(user: String, mailbox: String, message: String)

    /// `error` as `user`'s storage error when it is the object store's (a PUT, a GET, a spool file's I/O);
    /// anything else as it is.
    public static func fromStore(_ error: any Error, user: String) -> any Error {
        (error as? ObjectStoreError).map { StorageError.store(user: user, StoreFailure($0)) } ?? error
    }

    /// The store has no object where the index says a message's body is (expunged by another session since
    /// the caller read the message, or lost).
    public var isMissingObject: Bool {
        if case .store(_, let failure) = self { failure.isMissingObject } else { false }
    }

    public var isTemporary: Bool {
        switch self {
        case .store(_, let failure): return failure.isTemporary
        case .index(let failure): return failure.isTemporary
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidName(let name, let error): return "\(error): \(name)"
        case .mailboxNotFound(let user, let mailbox): return "user \(user): mailbox \(mailbox) does not exist"
        case .mailboxExists(let user, let mailbox): return "user \(user): mailbox \(mailbox) already exists"
        case .notAllowed(let user, let mailbox, let reason): return "user \(user): mailbox \(mailbox): \(reason)"
        case .store(let user, let error): return "user \(user): \(error)"
        case .index(let failure): return failure.description
        case .quotaExceeded(let user, let mailbox, _): return "user \(user): mailbox \(mailbox): quota exceeded"
        }
    }
}

/// An object store failure inside a `StorageError`: opaque, so the protocols see what they act on (temporary or not,
/// the text for the log) and not the store's error type.
public struct StoreFailure: Sendable, Equatable, CustomStringConvertible {
    let error: ObjectStoreError

    init(_ error: ObjectStoreError) { self.error = error }

    public var isTemporary: Bool { error.isTemporary }
    /// The store has no such object.
    public var isMissingObject: Bool {
        if case .notFound = error { true } else { false }
    }

    public var description: String { "\(error)" }
}

/// An index failure inside a `StorageError`: opaque, as `StoreFailure`.
public struct IndexFailure: Sendable, Equatable, CustomStringConvertible {
    let error: IndexError

    init(_ error: IndexError) { self.error = error }

    /// A full or failing disk (`IndexError.unavailable`): the operation may succeed later.
    public var isTemporary: Bool {
        if case .unavailable = error { true } else { false }
    }

    public var description: String { error.description }
}
