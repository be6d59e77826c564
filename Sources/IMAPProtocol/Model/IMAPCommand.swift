import NIOCore

/// A command with the tag the client gave it; responses to it carry the same tag.
public struct TaggedCommand: Sendable, Equatable {
    public var tag: String
    public var command: IMAPCommand
    /// Set when a mailbox name of the command is not valid modified UTF-7 (UTF-8 with UTF8=ACCEPT): the reason,
    /// for a tagged NO. Such a name is valid syntax, so it is no BAD (LIST drops such patterns itself).
    public var undecodableMailboxName: String?

    public init(tag: String, command: IMAPCommand, undecodableMailboxName: String? = nil) {
        self.tag = tag
        self.command = command
        self.undecodableMailboxName = undecodableMailboxName
    }
}

/// Every client command the server understands, after parsing. Mailbox names are decoded to UTF-8
/// (from modified UTF-7, or raw when UTF8=ACCEPT is enabled); `INBOX` in any case becomes `INBOX`.
public enum IMAPCommand: Sendable, Equatable {
    // Any state
    case capability
    case noop
    case logout
    case id([IDParameter]?)
    // Not authenticated
    case starttls
    /// `initialResponse` is the SASL-IR argument still base64-encoded; `"="` stands for an empty response.
    case authenticate(mechanism: String, initialResponse: String?)
    case login(LoginCredentials)
    // Authenticated
    case enable([String])
    case select(mailbox: String, SelectParameters)
    case examine(mailbox: String, SelectParameters)
    case create(mailbox: String, specialUse: [String])
    case delete(mailbox: String)
    case rename(from: String, to: String)
    case subscribe(mailbox: String)
    case unsubscribe(mailbox: String)
    case list(ListCommand)
    case lsub(reference: String, pattern: String)
    case namespace
    case status(mailbox: String, [StatusAttribute])
    case append(mailbox: String, [AppendMessage])
    case idle
    case getQuota(root: String)
    case getQuotaRoot(mailbox: String)
    case setQuota(root: String, [QuotaLimit])
    case compress(mechanism: String)
    case notify(NotifyCommand)
    case getMetadata(mailbox: String, options: MetadataOptions, entries: [String])
    case setMetadata(mailbox: String, [MetadataEntry])
    // Selected
    case check
    case close
    case unselect
    case expunge
    case uidExpunge(SequenceSet)
    case search(SearchCommand, uid: Bool)
    case fetch(SequenceSet, [FetchAttribute], FetchModifiers, uid: Bool)
    case store(SequenceSet, StoreOperation, unchangedSince: UInt64?, uid: Bool)
    case copy(SequenceSet, mailbox: String, uid: Bool)
    case move(SequenceSet, mailbox: String, uid: Bool)
    case sort(SortCommand, uid: Bool)
    case thread(ThreadCommand, uid: Bool)
    /// CANCELUPDATE (RFC 5267): stop the UPDATE contexts of these search tags.
    case cancelUpdate(tags: [String])

    /// The command name for logs and statistics (never includes arguments, so never a password).
    public var name: String { commandName.rawValue }

    /// The command as one of a closed set of names, whatever the client typed: metrics label by it.
    public var commandName: IMAPCommandName {
        switch self {
        case .capability: .capability
        case .noop: .noop
        case .logout: .logout
        case .id: .id
        case .starttls: .starttls
        case .authenticate: .authenticate
        case .login: .login
        case .enable: .enable
        case .select: .select
        case .examine: .examine
        case .create: .create
        case .delete: .delete
        case .rename: .rename
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .list: .list
        case .lsub: .lsub
        case .namespace: .namespace
        case .status: .status
        case .append: .append
        case .idle: .idle
        case .getQuota: .getQuota
        case .getQuotaRoot: .getQuotaRoot
        case .setQuota: .setQuota
        case .compress: .compress
        case .notify: .notify
        case .getMetadata: .getMetadata
        case .setMetadata: .setMetadata
        case .check: .check
        case .close: .close
        case .unselect: .unselect
        case .expunge: .expunge
        case .uidExpunge: .uidExpunge
        case .search(_, let uid): uid ? .uidSearch : .search
        case .fetch(_, _, _, let uid): uid ? .uidFetch : .fetch
        case .store(_, _, _, let uid): uid ? .uidStore : .store
        case .copy(_, _, let uid): uid ? .uidCopy : .copy
        case .move(_, _, let uid): uid ? .uidMove : .move
        case .sort(_, let uid): uid ? .uidSort : .sort
        case .thread(_, let uid): uid ? .uidThread : .thread
        case .cancelUpdate: .cancelUpdate
        }
    }
}

/// Every command name the parser produces, as logs and Dovecot's statistics write it (`UID FETCH` for the UID form).
public enum IMAPCommandName: String, Sendable, Hashable, CaseIterable {
    case capability = "CAPABILITY"
    case noop = "NOOP"
    case logout = "LOGOUT"
    case id = "ID"
    case starttls = "STARTTLS"
    case authenticate = "AUTHENTICATE"
    case login = "LOGIN"
    case enable = "ENABLE"
    case select = "SELECT"
    case examine = "EXAMINE"
    case create = "CREATE"
    case delete = "DELETE"
    case rename = "RENAME"
    case subscribe = "SUBSCRIBE"
    case unsubscribe = "UNSUBSCRIBE"
    case list = "LIST"
    case lsub = "LSUB"
    case namespace = "NAMESPACE"
    case status = "STATUS"
    case append = "APPEND"
    case idle = "IDLE"
    case getQuota = "GETQUOTA"
    case getQuotaRoot = "GETQUOTAROOT"
    case setQuota = "SETQUOTA"
    case compress = "COMPRESS"
    case notify = "NOTIFY"
    case getMetadata = "GETMETADATA"
    case setMetadata = "SETMETADATA"
    case check = "CHECK"
    case close = "CLOSE"
    case unselect = "UNSELECT"
    case expunge = "EXPUNGE"
    case uidExpunge = "UID EXPUNGE"
    case search = "SEARCH"
    case uidSearch = "UID SEARCH"
    case fetch = "FETCH"
    case uidFetch = "UID FETCH"
    case store = "STORE"
    case uidStore = "UID STORE"
    case copy = "COPY"
    case uidCopy = "UID COPY"
    case move = "MOVE"
    case uidMove = "UID MOVE"
    case sort = "SORT"
    case uidSort = "UID SORT"
    case thread = "THREAD"
    case uidThread = "UID THREAD"
    case cancelUpdate = "CANCELUPDATE"
}

/// LOGIN arguments. The description hides the password so a logged command cannot leak it.
public struct LoginCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "LoginCredentials(username: \(username), password: <hidden>)" }
}

/// One ID field (RFC 2971); a NIL value stays nil.
public struct IDParameter: Sendable, Equatable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }
}

/// SELECT/EXAMINE parameters: `(CONDSTORE)` and `(QRESYNC (uidvalidity modseq [known-uids [seq-match]]))`.
public struct SelectParameters: Sendable, Equatable {
    public var condstore: Bool = false
    public var qresync: QResyncParameters?

    public init(condstore: Bool = false, qresync: QResyncParameters? = nil) {
        self.condstore = condstore
        self.qresync = qresync
    }
}

public struct QResyncParameters: Sendable, Equatable {
    public var uidValidity: UInt32
    public var modSeq: UInt64
    public var knownUIDs: SequenceSet?
    /// The client's sequence numbers and the UIDs it believes they map to.
    public var knownSequenceMatch: (sequences: SequenceSet, uids: SequenceSet)?

    public init(
        uidValidity: UInt32, modSeq: UInt64, knownUIDs: SequenceSet? = nil,
        knownSequenceMatch: (sequences: SequenceSet, uids: SequenceSet)? = nil
    ) {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.knownSequenceMatch = knownSequenceMatch
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.uidValidity == rhs.uidValidity && lhs.modSeq == rhs.modSeq && lhs.knownUIDs == rhs.knownUIDs
            && lhs.knownSequenceMatch?.sequences == rhs.knownSequenceMatch?.sequences
            && lhs.knownSequenceMatch?.uids == rhs.knownSequenceMatch?.uids
    }
}

/// LIST with the LIST-EXTENDED parts (RFC 5258): selection options, several patterns, return options.
public struct ListCommand: Sendable, Equatable {
    public var selectionOptions: [ListSelectionOption]
    public var reference: String
    public var patterns: [String]
    public var returnOptions: [ListReturnOption]

    public init(
        selectionOptions: [ListSelectionOption] = [], reference: String, patterns: [String],
        returnOptions: [ListReturnOption] = []
    ) {
        self.selectionOptions = selectionOptions
        self.reference = reference
        self.patterns = patterns
        self.returnOptions = returnOptions
    }
}

/// The selection options this server knows; any other is a BAD command (RFC 5258 §3).
public enum ListSelectionOption: Sendable, Hashable {
    case subscribed, remote, recursiveMatch, specialUse
}

/// The return options this server knows; any other is a BAD command (RFC 5258 §3).
public enum ListReturnOption: Sendable, Hashable {
    case subscribed, children, specialUse
    case status([StatusAttribute])
}

public enum StatusAttribute: String, Sendable, Hashable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case highestModSeq = "HIGHESTMODSEQ"
    case size = "SIZE"
    case deleted = "DELETED"
    case appendLimit = "APPENDLIMIT"
}

/// One message of an APPEND (several with MULTIAPPEND, RFC 3502).
public struct AppendMessage: Sendable, Equatable {
    public var flags: [String]
    public var internalDate: IMAPDateTime?
    public var content: AppendContent

    public init(flags: [String] = [], internalDate: IMAPDateTime? = nil, content: AppendContent) {
        self.flags = flags
        self.internalDate = internalDate
        self.content = content
    }
}

public enum AppendContent: Sendable, Equatable {
    /// The message bytes, a slice of the received buffer (no copy). `binary` for `~{n}` literals (RFC 3516),
    /// `utf8` for the RFC 6855 `UTF8 (literal)` form.
    case literal(ByteBuffer, binary: Bool, utf8: Bool)
    /// CATENATE (RFC 4469): the parts to join, in order.
    case catenate([CatenatePart])
}

public enum CatenatePart: Sendable, Equatable {
    case url(String)
    case text(ByteBuffer, binary: Bool)
}

public struct QuotaLimit: Sendable, Equatable {
    public var resource: String
    public var limit: UInt64

    public init(resource: String, limit: UInt64) {
        self.resource = resource
        self.limit = limit
    }
}

/// NOTIFY (RFC 5465). Event groups are kept as parsed; the session decides what it supports.
public enum NotifyCommand: Sendable, Equatable {
    case none
    case set(status: Bool, groups: [NotifyEventGroup])
}

public struct NotifyEventGroup: Sendable, Equatable {
    /// `SELECTED`, `SELECTED-DELAYED`, `INBOXES`, `PERSONAL`, `SUBSCRIBED`, `SUBTREE …`, `MAILBOXES …`.
    public var filter: String
    public var mailboxes: [String]
    /// Event names upper-cased (`MESSAGENEW`, `FLAGCHANGE` …); empty for `NONE`. Fetch attributes of
    /// MessageNew are kept in `messageNewFetch`.
    public var events: [String]
    public var messageNewFetch: [FetchAttribute]

    public init(filter: String, mailboxes: [String] = [], events: [String], messageNewFetch: [FetchAttribute] = []) {
        self.filter = filter
        self.mailboxes = mailboxes
        self.events = events
        self.messageNewFetch = messageNewFetch
    }
}

public struct MetadataOptions: Sendable, Equatable {
    public var maxSize: UInt32?
    /// DEPTH 0, 1 or infinity (nil).
    public var depth: UInt32? = 0

    public init(maxSize: UInt32? = nil, depth: UInt32? = 0) {
        self.maxSize = maxSize
        self.depth = depth
    }
}

public struct MetadataEntry: Sendable, Equatable {
    public var name: String
    /// nil removes the entry.
    public var value: ByteBuffer?

    public init(name: String, value: ByteBuffer?) {
        self.name = name
        self.value = value
    }
}

/// STORE's action: `FLAGS`, `+FLAGS`, `-FLAGS`, each optionally `.SILENT`.
public struct StoreOperation: Sendable, Equatable {
    public enum Mode: Sendable, Equatable { case replace, add, remove }

    public var mode: Mode
    public var silent: Bool
    /// Flags as sent (system flags keep their backslash); see `MessageFlags(imapName:)` in MailModel.
    public var flags: [String]

    public init(mode: Mode, silent: Bool, flags: [String]) {
        self.mode = mode
        self.silent = silent
        self.flags = flags
    }
}
