import ObjectMail

/// What the LMTP session asks of the rest of the server: whether a recipient exists, and to
/// deliver a message. The session owns the protocol; the backend owns users and storage.
public protocol LMTPBackend: Sendable {
    func resolveRecipient(_ address: String, originalRecipient: String?, session: LMTPSessionInfo) async -> RecipientLookup
    /// Delivers to every recipient; returns one reply per recipient, in the order given.
    func deliver(_ message: LMTPMessage, session: LMTPSessionInfo) async -> [LMTPReply]
}

public enum RecipientLookup: Sendable, Equatable {
    case accepted(LMTPRecipient)
    case unknown
    /// The user database could not answer: the MTA should retry (451 4.3.0).
    case temporaryFailure
}

/// An accepted recipient: the address as given and the user it belongs to.
public struct LMTPRecipient: Sendable, Equatable {
    /// `RCPT TO:<address>` as the client wrote it (with any +detail).
    public var address: String
    /// The userdb's name for the user (detail stripped, normalised).
    public var user: String
    /// The part after `recipient_delimiter`, if any.
    public var detail: String?
    /// ORCPT's address if the client gave one.
    public var originalRecipient: String?
    /// The userdb's extra fields (`quota_rule` …), which apply to this delivery.
    public var userdbFields: [String: String]

    public init(
        address: String, user: String, detail: String? = nil, originalRecipient: String? = nil,
        userdbFields: [String: String] = [:]
    ) {
        self.userdbFields = userdbFields
        self.address = address
        self.user = user
        self.detail = detail
        self.originalRecipient = originalRecipient
    }
}

/// Who the session is talking to, for headers and logs.
public struct LMTPSessionInfo: Sendable {
    public var id: String
    public var helo: String
    public var remoteIP: String
}

/// A complete message with its envelope.
public struct LMTPMessage: Sendable {
    public var mailFrom: String
    public var recipients: [LMTPRecipient]
    /// The message as received: CRLF line ends, dot-unstuffed. Empty when the body is in `spool`.
    public var bytes: [UInt8]
    /// A body larger than the spool threshold, received into a file in `mail_temp_dir`; shared by every recipient.
    public var spool: SpoolFile?

    public init(mailFrom: String, recipients: [LMTPRecipient], bytes: [UInt8], spool: SpoolFile? = nil) {
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.bytes = bytes
        self.spool = spool
    }

    /// The body's size in bytes.
    public var size: Int { spool.map { Int($0.size) } ?? bytes.count }
}

/// One reply line (or several, for LHLO), ready to send: "250 2.0.0 OK".
public struct LMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public init(_ code: Int, _ lines: String...) {
        self.code = code
        self.lines = lines
    }

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var description: String { wire }

    public var wire: String {
        lines.enumerated().map { index, line in
            "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }.joined()
    }
}
